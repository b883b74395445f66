//! Strongly.ai's endpoints as typed calls: the scoped API key as `X-API-Key`, offset pages of
//! workspace summaries, create answering only an id.

use std::collections::HashMap;

use url::Url;

use super::errors::error_of;
use super::wire::{
    ActionAnswer, CreateBody, Created, ProjectList, UpdateBody, WireProject, WireWorkspace, WorkspacePage,
};
use super::VENDOR;
use crate::error::{Error, Result};
use crate::http::Http;
use crate::providers::paging::{paginate, Listing, Page};
use crate::providers::rest::{Call, Rest};

/// Other Strongly list endpoints document 100 as the maximum `limit`.
const PAGE_LIMIT: u64 = 100;
/// 100 000 workspaces: past this, a server that keeps sending full pages is broken.
const MAX_PAGES: usize = 1000;

pub struct Client {
    rest: Rest,
}

impl Client {
    pub fn new(http: Http, api_key: &str) -> Result<Self> {
        Ok(Client { rest: Rest::new(http, error_of).with_secret_header("x-api-key", api_key, "api_key", "API key")? })
    }

    #[cfg(test)]
    pub fn rest(&self) -> &Rest {
        &self.rest
    }

    pub fn base(&self) -> &Url {
        self.rest.base()
    }

    /// Whoami proves the key; a one-item list proves the `workspaces:read` scope (contract §2).
    pub async fn verify(&self) -> Result<()> {
        match self.rest.call(Call::get(&["auth", "whoami"])).await {
            // An instance without whoami: the workspaces probe below still proves the key.
            Err(Error::NotFound(_)) => {}
            other => {
                other?;
            }
        }
        let resp = self.rest.send(Call::get(&["workspaces"]).query(&[("limit", "1")])).await?;
        match resp.status {
            200..=299 => resp.json::<WorkspacePage>().map(|_| ()),
            403 => Err(Error::Unauthorized(format!(
                "{}. The API key is valid but lacks the workspaces:read scope; create a key with \
                 workspaces:read and workspaces:write (Strongly.ai: Profile → Security → API Keys)",
                error_of(&resp)
            ))),
            404 => Err(Error::invalid(
                "base_url",
                format!("{}. Is {} the address of your Strongly.ai instance?", error_of(&resp), self.base()),
            )),
            _ => Err(error_of(&resp)),
        }
    }

    /// The workspace as Strongly sends it, untyped (the details panel's raw record).
    pub async fn workspace_record(&self, id: &str) -> Result<serde_json::Value> {
        self.rest.get(&["workspaces", id], &[]).await
    }

    pub async fn workspace(&self, id: &str) -> Result<WireWorkspace> {
        let w: WireWorkspace = self.rest.get(&["workspaces", id], &[]).await?;
        check_id(&w)?;
        Ok(w)
    }

    pub async fn projects(&self) -> Result<Vec<WireProject>> {
        Ok(self.rest.get::<ProjectList>(&["projects"], &[]).await?.into_vec())
    }

    /// Project names only decorate the details; a key without `projects:read` still lists.
    pub async fn project_names(&self) -> HashMap<String, String> {
        match self.projects().await {
            Ok(ps) => ps.into_iter().filter_map(|p| Some((p.id, p.name.filter(|n| !n.trim().is_empty())?))).collect(),
            Err(e) => {
                tracing::debug!(error = %e, "Strongly.ai projects unavailable; showing project ids");
                HashMap::new()
            }
        }
    }

    pub async fn workspaces(&self) -> Result<Vec<WireWorkspace>> {
        let listing = Listing { vendor: VENDOR, what: "workspaces", max_pages: MAX_PAGES };
        paginate(
            listing,
            |w: &WireWorkspace| w.id.clone(),
            |offset: Option<u64>| async move {
                let offset = offset.unwrap_or(0);
                let (limit, at) = (PAGE_LIMIT.to_string(), offset.to_string());
                let call = Call::get(&["workspaces"]).query(&[("limit", &limit), ("offset", &at)]);
                let page: WorkspacePage = self.rest.fetch(call).await?;
                page.workspaces.iter().try_for_each(check_id)?;
                let next = next_offset(offset, page.workspaces.len() as u64, page.limit, page.count);
                Ok(Page { items: page.workspaces, next })
            },
        )
        .await
    }

    /// Start and stop: the server refuses a wrong state with 409 (or, on some instances, 400).
    pub async fn transition(&self, id: &str, verb: &str) -> Result<()> {
        let resp = match self.rest.call(Call::post(&["workspaces", id, verb])).await {
            Err(Error::InvalidInput { message, .. }) => return Err(Error::Conflict(message)),
            other => other?,
        };
        if let Ok(answer) = resp.json::<ActionAnswer>() {
            let (answered, status, message) = (answer.workspace_id, answer.status, answer.message);
            tracing::debug!(id, verb, ?answered, ?status, ?message, "Strongly.ai accepted");
        }
        Ok(())
    }

    pub async fn create(&self, body: &CreateBody) -> Result<Created> {
        self.rest.post(&["workspaces"], body).await
    }

    pub async fn delete(&self, id: &str) -> Result<()> {
        match self.rest.call(Call::delete(&["workspaces", id])).await {
            Err(Error::Conflict(m)) => {
                Err(Error::Conflict(format!("{m}. Strongly.ai deletes only stopped workspaces; stop it first")))
            }
            other => other.map(|_| ()),
        }
    }

    pub async fn update(&self, id: &str, body: &UpdateBody) -> Result<()> {
        match self.rest.call(Call::put(&["workspaces", id]).json(body)?).await {
            Err(Error::Conflict(m)) => Err(Error::Conflict(format!(
                "{m}. Strongly.ai changes resources only while a workspace is stopped; stop it first"
            ))),
            other => other.map(|_| ()),
        }
    }
}

/// The next page's offset, or `None` when the last page came: fewer items than a page holds,
/// an empty page, or `count` (taken as the total matching) reached.
pub(super) fn next_offset(offset: u64, got: u64, limit: Option<u64>, count: Option<u64>) -> Option<u64> {
    let page_size = limit.filter(|l| *l > 0).unwrap_or(PAGE_LIMIT).min(PAGE_LIMIT);
    let next = offset + got;
    (got > 0 && got >= page_size && count.is_none_or(|c| next < c)).then_some(next)
}

/// The wire type reads leniently, but a workspace without an id cannot be addressed.
pub(super) fn check_id(w: &WireWorkspace) -> Result<()> {
    if w.id.trim().is_empty() {
        return Err(Error::BadResponse {
            message: format!("{VENDOR} answered a workspace without its required field `id`"),
        });
    }
    Ok(())
}
