//! Reading a listing page by page, bounded: a server that loops (a cursor it sent before, the
//! same full page again) or never ends stops the listing with a `BadResponse` instead of
//! holding the watcher for ever.

use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;

use crate::error::{Error, Result};

/// One page: its items, and where the next one starts (`None`: this was the last).
pub struct Page<T, C> {
    pub items: Vec<T>,
    pub next: Option<C>,
}

/// What is being listed, for the messages, and how many pages a sane listing can take.
pub struct Listing<'a> {
    pub vendor: &'a str,
    /// Plural noun: "workspaces".
    pub what: &'a str,
    pub max_pages: usize,
}

/// Fetches pages from the first (`fetch(None)`) until one has no next cursor. An item whose
/// `key` came on an earlier page is dropped (something created between two pages shifts
/// offsets; its first copy is kept).
pub async fn paginate<T, C, K, F, Fut>(listing: Listing<'_>, key: impl Fn(&T) -> K, mut fetch: F) -> Result<Vec<T>>
where
    C: Clone + Eq + Hash,
    K: Eq + Hash,
    F: FnMut(Option<C>) -> Fut,
    Fut: Future<Output = Result<Page<T, C>>>,
{
    let Listing { vendor, what, max_pages } = listing;
    let stopped = |why: String| Error::BadResponse { message: format!("{vendor} {why}; listing stopped") };
    let mut out = Vec::new();
    let mut keys = HashSet::new();
    let mut cursors = HashSet::new();
    let mut cursor = None;
    for _ in 0..max_pages {
        let page = fetch(cursor.take()).await?;
        let (got, before) = (page.items.len(), out.len());
        out.extend(page.items.into_iter().filter(|item| keys.insert(key(item))));
        let Some(next) = page.next else { return Ok(out) };
        if !cursors.insert(next.clone()) {
            return Err(stopped(format!("returned a paging token for {what} it had returned before")));
        }
        // A server that ignores the cursor sends the same full page again: nothing new is a loop.
        if got > 0 && out.len() == before {
            return Err(stopped(format!("sent the same page of {what} again")));
        }
        cursor = Some(next);
    }
    Err(stopped(format!("kept sending pages of {what} ({} so far, {max_pages} pages)", out.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing() -> Listing<'static> {
        Listing { vendor: "V", what: "things", max_pages: 3 }
    }

    fn run<C: Clone + Eq + Hash>(pages: Vec<(Vec<u32>, Option<C>)>) -> Result<Vec<u32>> {
        let mut pages = pages.into_iter();
        let fetch = |_| {
            let (items, next) = pages.next().unwrap_or_default();
            async move { Ok(Page { items, next }) }
        };
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(paginate(
            listing(),
            |i: &u32| *i,
            fetch,
        ))
    }

    #[test]
    fn pages_are_read_until_the_last_and_repeats_are_dropped() {
        assert_eq!(run(vec![(vec![1, 2], Some(2)), (vec![2, 3], None)]).unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn loops_and_endless_listings_stop_with_a_bad_response() {
        let err = run(vec![(vec![], Some("t")), (vec![], Some("t"))]).unwrap_err();
        assert!(matches!(err, Error::BadResponse { .. }) && err.to_string().contains("paging token"), "{err}");
        let err = run(vec![(vec![1], Some(1)), (vec![1], Some(2))]).unwrap_err();
        assert!(err.to_string().contains("same page of things again"), "{err}");
        let err = run((1..9).map(|i| (vec![i], Some(i))).collect()).unwrap_err();
        assert!(err.to_string().contains("kept sending pages of things (3 so far"), "{err}");
    }
}
