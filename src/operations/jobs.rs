//! Imports that run in the background of the server (the SIRENE stock started from
//! `/espace`): one at a time, watched through their [`ImportProgress`], their outcome
//! kept until the next one starts.
//!
//! The slot holds the running job, or the last one: a second start while one runs is
//! refused ([`Busy`]), so that two imports never read gigabytes side by side nor
//! replace the same edition in turn. The job runs on its own task (the reading itself
//! in a blocking thread, see [`super::import_sirene_with`]): requests keep being
//! answered meanwhile. A job whose task panicked ends failed rather than running for
//! ever (which would refuse every later import).
//!
//! The slot is per process: two instances behind a load balancer each allow one.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use crate::import::progress::ImportProgress;
use crate::records::ImportReport;

/// What a job was asked to do, as its status shows it.
#[derive(Debug, Clone)]
pub struct JobRequest {
    pub edition: i64,
    /// `(role, name)` of each file: `("etablissements", "StockEtablissement_utf8.zip")`.
    pub files: Vec<(&'static str, String)>,
    pub started_by: String,
}

/// How a job ended.
#[derive(Debug)]
pub enum Outcome {
    Done(Box<ImportReport>),
    Failed(anyhow::Error),
}

/// One import, running or finished.
#[derive(Debug)]
pub struct Job {
    pub id: String,
    pub request: JobRequest,
    /// `AAAA-MM-JJTHH:MM:SSZ`.
    pub started_at: String,
    pub progress: Arc<ImportProgress>,
    finished: Mutex<Option<(String, Outcome)>>,
}

impl Job {
    /// `None` while running; else when it ended and how.
    pub fn with_outcome<T>(&self, f: impl FnOnce(Option<(&str, &Outcome)>) -> T) -> T {
        let finished = self.finished.lock().unwrap_or_else(PoisonError::into_inner);
        f(finished.as_ref().map(|(at, o)| (at.as_str(), o)))
    }

    #[must_use]
    pub fn is_running(&self) -> bool {
        self.with_outcome(|o| o.is_none())
    }

    fn finish(&self, outcome: Outcome) {
        *self.finished.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((crate::time::now_utc(), outcome));
    }
}

/// A start refused: this job is running.
#[derive(Debug)]
pub struct Busy(pub Arc<Job>);

/// The server's import slot.
#[derive(Debug, Default)]
pub struct ImportJobs {
    slot: Mutex<Option<Arc<Job>>>,
}

impl ImportJobs {
    /// Starts `run` (given the job's progress) on its own task, unless a job is
    /// running.
    pub fn start<F, Fut>(&self, request: JobRequest, run: F) -> Result<Arc<Job>, Busy>
    where
        F: FnOnce(Arc<ImportProgress>) -> Fut,
        Fut: Future<Output = anyhow::Result<ImportReport>> + Send + 'static,
    {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(job) = slot.as_ref().filter(|j| j.is_running()) {
            return Err(Busy(Arc::clone(job)));
        }
        let id = crate::auth::session::new_token().map_or_else(
            |_| format!("{}", crate::time::unix_now()),
            |t| t[..16].to_owned(),
        );
        let job = Arc::new(Job {
            id,
            request,
            started_at: crate::time::now_utc(),
            progress: Arc::default(),
            finished: Mutex::new(None),
        });
        let task = tokio::spawn(run(Arc::clone(&job.progress)));
        let watched = Arc::clone(&job);
        tokio::spawn(async move {
            let outcome = match task.await {
                Ok(Ok(report)) => Outcome::Done(Box::new(report)),
                Ok(Err(error)) => Outcome::Failed(error),
                Err(panic) => Outcome::Failed(anyhow::anyhow!("l’import s’est arrêté : {panic}")),
            };
            match &outcome {
                Outcome::Done(report) => {
                    tracing::info!(job = %watched.id, "import job done: {}", report.one_line());
                }
                Outcome::Failed(error) => {
                    tracing::warn!(job = %watched.id, "import job failed: {error:#}");
                }
            }
            watched.finish(outcome);
        });
        *slot = Some(Arc::clone(&job));
        Ok(job)
    }

    /// The running job, or the last one.
    #[must_use]
    pub fn current(&self) -> Option<Arc<Job>> {
        self.slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The job `id`, if it is the current or last one.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.current().filter(|j| j.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> JobRequest {
        JobRequest {
            edition: 2023,
            files: Vec::new(),
            started_by: "claire".into(),
        }
    }

    async fn panicking() -> anyhow::Result<ImportReport> {
        tokio::task::yield_now().await;
        panic!("a panic in the job")
    }

    #[tokio::test]
    async fn one_job_at_a_time_and_its_outcome_stays() {
        let jobs = ImportJobs::default();
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let first = jobs
            .start(request(), |_| async move {
                let _ = wait.await;
                Ok(ImportReport::new("sirene", 2023))
            })
            .unwrap();
        let busy = jobs
            .start(request(), |_| async { anyhow::bail!("never runs") })
            .unwrap_err();
        assert_eq!(busy.0.id, first.id);
        release.send(()).unwrap();
        while first.is_running() {
            tokio::task::yield_now().await;
        }
        assert!(first.with_outcome(|o| matches!(o, Some((_, Outcome::Done(_))))));
        assert_eq!(
            jobs.get(&first.id).map(|j| j.id.clone()),
            Some(first.id.clone())
        );
        // A panicking job ends failed, and the slot is free again.
        let second = jobs.start(request(), |_| panicking()).unwrap();
        while second.is_running() {
            tokio::task::yield_now().await;
        }
        assert!(second.with_outcome(|o| matches!(o, Some((_, Outcome::Failed(_))))));
        assert!(jobs.get(&first.id).is_none());
    }
}
