// ess-atlas — the French words of the zone levels in the indicator dashboard (legend,
// table, panel card): « territoire / territoires », the parent level's title.

export const LEVEL_WORDS = {
  territory: { one: 'territoire', many: 'territoires', title: 'Territoire', parent: 'Département' },
  epci: { one: 'EPCI', many: 'EPCI', title: 'EPCI', parent: 'Territoire' },
  commune: { one: 'commune', many: 'communes', title: 'Commune', parent: 'EPCI' },
  department: { one: 'département', many: 'départements', title: 'Département', parent: '' },
};
