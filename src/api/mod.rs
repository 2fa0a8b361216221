//! The JSON API under `/api/v1`: one module per resource; the route table below is the single
//! source of both the routes and the OpenAPI document.

pub mod auth;
pub mod catalogs;
pub mod clock;
pub mod comments;
pub mod common;
pub mod deadlines;
pub mod decisions;
pub mod digests;
pub mod dossier;
pub mod error;
pub mod execution;
pub mod experts;
pub mod extract;
pub mod facts;
pub mod hearings;
pub mod limits;
pub mod openapi;
pub mod packs;
pub mod webhooks;

use actix_web::{web, HttpRequest};

use error::ApiError;

/// Where every API route is.
const SCOPE: &str = "/api";

macro_rules! routes {
    ($( $method:ident $path:literal => $handler:path, $tag:literal, $summary:literal; )*) => {
        /// Every route: (method, path, tag, summary).
        pub const ROUTES: &[(&str, &str, &str, &str)] = &[
            $( (stringify!($method), $path, $tag, $summary), )*
        ];

        /// Register every route, under one scope `/api`: a request for a page passes all of
        /// them with one comparison of its path's start, where each route's pattern was tried
        /// in turn (a tenth of the consultation page's time; issue 14).
        pub fn register(cfg: &mut web::ServiceConfig) {
            let under = |path: &'static str| {
                path.strip_prefix(SCOPE)
                    .unwrap_or_else(|| panic!("the API route {path} is not under {SCOPE}"))
            };
            cfg.service(web::scope(SCOPE)$( .route(under($path), web::$method().to($handler)) )*);
        }
    };
}

routes! {
    post "/api/v1/session" => auth::sign_in, "session", "Sign in with username and password; returns a bearer token";
    delete "/api/v1/session" => auth::sign_out, "session", "Sign out (revoke the bearer token)";
    get "/api/v1/me" => auth::me, "session", "The signed-in user and their roles per organ";
    get "/api/v1/packs" => packs::list, "packs", "Jurisdiction packs and their versions";
    get "/api/v1/packs/{id}" => packs::get, "packs", "A pack (latest version, or ?version=)";
    post "/api/v1/decisions" => decisions::create, "decisions", "Start a decision (initiation)";
    get "/api/v1/decisions" => decisions::list, "decisions", "Decisions of the caller's organs, newest first (keyset paging)";
    get "/api/v1/decisions/{id}" => decisions::get, "decisions", "A decision: attributes, stages, what may happen next and what blocks it, deadlines";
    post "/api/v1/decisions/{id}/drafts" => decisions::new_draft, "decisions", "Record a new draft version";
    get "/api/v1/decisions/{id}/drafts/{number}" => decisions::get_draft, "decisions", "A draft version's content";
    post "/api/v1/decisions/{id}/commands" => decisions::command, "decisions", "Apply a procedure command at an expected version";
    get "/api/v1/decisions/{id}/events" => decisions::events, "decisions", "The decision's record: its hash-chained events";
    get "/api/v1/decisions/{id}/dossier" => dossier::download, "decisions", "The decision's dossier (第三十三条) as a zip archive: printable record, raw events (JSON Lines), drafts, manifest of hashes and volumes; check it offline with juece audit verify --dossier";
    get "/api/v1/decisions/{id}/execution" => execution::timeline, "execution", "The execution timeline: status, units, deadline, milestones, dated entries, what is late, evaluation grounds the record shows";
    post "/api/v1/public/decisions/{id}/feedback" => execution::feedback, "public", "Send a view on an adopted decision or its execution (no login; rate-limited)";
    get "/api/v1/decisions/{id}/personal-data-reads" => decisions::personal_data_reads, "decisions", "Who read the public's contacts of this decision, when, and how many records";
    get "/api/v1/decisions/{id}/comments" => comments::export, "participation", "Every comment with contacts and handling (?format=json pages, or csv streamed)";
    post "/api/v1/decisions/{id}/comments/report" => comments::report, "participation", "Record the adoption report generated from the dispositions";
    get "/api/v1/public/decisions/{id}/consultation" => comments::consultation, "public", "An open consultation: notice, draft, period, counts (no login)";
    post "/api/v1/public/decisions/{id}/comments" => comments::submit, "public", "Submit a comment (no login; name and contact optional; rate-limited; Idempotency-Key)";
    get "/api/v1/public/decisions/{id}/comments" => comments::public_list, "public", "Published comments and what became of each (no login)";
    get "/api/v1/clock" => clock::get, "clock", "The server's clock and whether it is simulated";
    post "/api/v1/clock/advance" => clock::advance, "clock", "Move a simulated clock forward (simulation mode only)";
    get "/api/openapi.json" => openapi::document, "meta", "This OpenAPI document";
    get "/api/v1/public/decisions/{id}/hearing" => hearings::public, "hearings", "A hearing's notice, selection method, applicants, seed and participant list (no login)";
    post "/api/v1/public/decisions/{id}/hearing/applications" => hearings::apply, "hearings", "Apply to take part in a hearing (no login; Idempotency-Key required)";
    get "/api/v1/decisions/{id}/hearing/applications" => hearings::applications, "hearings", "The hearing applications of the current round, with contacts";
    post "/api/v1/decisions/{id}/hearing/selection" => hearings::select, "hearings", "Draw the hearing participants per interest group with a recorded seed";
    post "/api/v1/experts" => experts::add, "experts", "Add an expert to an organ's registry (专家库)";
    get "/api/v1/experts" => experts::search, "experts", "Experts of a registry or usable for a decision, searchable by field";
    get "/api/v1/experts/{id}" => experts::get, "experts", "An expert of a registry";
    post "/api/v1/experts/{id}/deactivate" => experts::deactivate, "experts", "Take an expert out of service";
    post "/api/v1/decisions/{id}/experts" => experts::select, "experts", "Choose an expert of the registry for the expert review";
    post "/api/v1/catalogs" => catalogs::open, "catalogs", "Open an organ's annual decision catalog for a year (its staff; one per organ and year)";
    get "/api/v1/catalogs" => catalogs::list, "catalogs", "The catalogs of the caller's organs (?organ_id=, ?year=)";
    get "/api/v1/catalogs/{id}" => catalogs::get, "catalogs", "A catalog as its staff see it: items with their procedures and decisions, consent, pending adjustments, revisions, standing";
    post "/api/v1/catalogs/{id}/commands" => catalogs::command, "catalogs", "Add, change or withdraw an item, record the party committee's consent, publish — at an expected version";
    get "/api/v1/catalogs/{id}/revisions/{revision}" => catalogs::revision, "catalogs", "A published revision as it was published";
    get "/api/v1/catalogs/{id}/coverage" => catalogs::coverage, "catalogs", "How the catalog is being carried out: items started, adopted, not started; decisions outside it (?format=json|csv|xlsx)";
    get "/api/v1/reports" => catalogs::report, "catalogs", "The annual report figures of an organ for a year, from the record (?format=json|csv|xlsx)";
    get "/api/v1/public/catalogs" => catalogs::public_list, "public", "Every organ that decides, with its published catalog for the year and whether it is overdue (no login)";
    get "/api/v1/public/catalogs/{id}" => catalogs::public_get, "public", "A published catalog: its latest revision and the history of its adjustments (no login)";
    get "/api/v1/public/catalogs/{id}/revisions/{revision}" => catalogs::public_revision, "public", "A published revision as it was published (no login)";
    get "/api/v1/public/digests" => digests::list, "public", "The record's seals: digests chained and signed every few minutes, for anyone to keep and compare (no login)";
    get "/api/v1/public/catalogs/{id}/export" => catalogs::public_export, "public", "A published revision as JSON, CSV or XLSX (?format=, ?revision=; no login)";
    get "/api/v1/deadlines" => deadlines::list, "deadlines", "Open deadlines of the caller's decisions: due soon and overdue (or all due by ?due_before=), each with the organ and role that must act (?organ=)";
    post "/api/v1/webhooks" => webhooks::create, "webhooks", "Register a webhook endpoint of an organ (its staff): URL and event kinds; the secret is shown once";
    get "/api/v1/webhooks" => webhooks::list, "webhooks", "The webhook endpoints of the caller's organs (no secrets)";
    get "/api/v1/webhooks/{id}/deliveries" => webhooks::deliveries, "webhooks", "Deliveries to an endpoint: status, attempts, last status and error";
    delete "/api/v1/webhooks/{id}" => webhooks::delete, "webhooks", "Delete a webhook endpoint (its pending deliveries are cancelled)";
}

/// Anything not in the route table.
pub async fn no_route(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "route {} {}",
        req.method(),
        req.path()
    )))
}
