// ess-atlas — reference labels (French) that the organisations' filters offer and the URL
// carries, hard-coded from reference/*.csv. Pure: no DOM, no map (the url module and its node
// tests import it).

/** NAF rév. 2 sections (reference/naf-sections.csv, libellé court). */
export const NAF_SECTIONS = {
  A: 'Agriculture, sylviculture et pêche',
  B: 'Industries extractives',
  C: 'Industrie manufacturière',
  D: "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
  E: "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
  F: 'Construction',
  G: "Commerce ; réparation d'automobiles et de motocycles",
  H: 'Transports et entreposage',
  I: 'Hébergement et restauration',
  J: 'Information et communication',
  K: "Activités financières et d'assurance",
  L: 'Activités immobilières',
  M: 'Activités spécialisées, scientifiques et techniques',
  N: 'Activités de services administratifs et de soutien',
  O: 'Administration publique',
  P: 'Enseignement',
  Q: 'Santé humaine et action sociale',
  R: 'Arts, spectacles et activités récréatives',
  S: 'Autres activités de services',
  T: 'Activités des ménages en tant qu’employeurs',
  U: 'Activités extra-territoriales',
};

/** Groups of SIRENE size bands (reference/tranches-effectifs.csv) offered as one filter. */
export const SIZE_GROUPS = {
  sans: { label: 'Sans salarié', codes: ['NN', '00'] },
  '1-9': { label: '1 à 9 salariés', codes: ['01', '02', '03'] },
  '10-49': { label: '10 à 49 salariés', codes: ['11', '12'] },
  '50-249': { label: '50 à 249 salariés', codes: ['21', '22', '31'] },
  '250+': { label: '250 salariés et plus', codes: ['32', '41', '42', '51', '52', '53'] },
};
