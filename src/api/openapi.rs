//! The OpenAPI 3.1 document, generated from the route table and from the same Rust types the
//! server deserialises and serialises (schemars), so it cannot drift: every command and fact is
//! a named schema (a `oneOf` discriminated by `command` / `type`), every body refuses unknown
//! fields (`additionalProperties: false`), and every route lists the problems it may return.

use actix_web::HttpResponse;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use super::common::Page;
use super::{
    auth, catalogs, clock, comments, deadlines, decisions, execution, experts, hearings, packs,
    webhooks, ROUTES,
};
use crate::procedure::Violation;

type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// A named schema (a `$ref` into the components).
fn named<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// A type's own schema, inline (for query parameters).
fn inline<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    T::json_schema(g)
}

/// What one route takes and gives.
pub struct Contract {
    /// The JSON body.
    pub body: Option<SchemaFn>,
    /// The query parameters (an object's properties).
    pub query: Option<SchemaFn>,
    /// The status of success.
    pub ok: u16,
    /// The body of success (none: a body this document does not type yet, or none at all).
    pub response: Option<SchemaFn>,
    /// A retry with the same idempotency key is answered 200 with what was stored.
    pub replay: bool,
    /// `?format=csv|xlsx` answers a spreadsheet instead of the JSON.
    pub exports: bool,
    /// The success answers a file of this media type, not JSON.
    pub file: Option<&'static str>,
}

/// The reads answered with an `ETag` and `304 Not Modified` (issue 14).
const TAGGED: [&str; 1] = ["/api/v1/decisions/{id}"];

const fn c(ok: u16) -> Contract {
    Contract {
        body: None,
        query: None,
        ok,
        response: None,
        replay: false,
        exports: false,
        file: None,
    }
}

/// The contract of each route of [`ROUTES`].
pub fn contract(method: &str, path: &str) -> Contract {
    match (method, path) {
        ("post", "/api/v1/session") => Contract {
            body: Some(named::<auth::SignIn>),
            response: Some(named::<auth::SessionView>),
            ..c(200)
        },
        ("delete", "/api/v1/session") => c(204),
        ("get", "/api/v1/me") => Contract {
            response: Some(named::<auth::MeView>),
            ..c(200)
        },
        ("get", "/api/v1/packs") => Contract {
            response: Some(named::<Vec<packs::PackSummary>>),
            ..c(200)
        },
        // The pack itself is not typed: its schema would need the whole pack model (stages,
        // rules, conditions, the generated parameters) to derive one.
        ("get", "/api/v1/packs/{id}") => Contract {
            query: Some(inline::<packs::Version>),
            ..c(200)
        },
        ("post", "/api/v1/decisions") => Contract {
            body: Some(named::<decisions::Create>),
            response: Some(named::<decisions::DecisionView>),
            ..c(201)
        },
        ("get", "/api/v1/decisions") => Contract {
            query: Some(inline::<decisions::ListQuery>),
            response: Some(named::<Page<decisions::DecisionSummary>>),
            ..c(200)
        },
        ("get", "/api/v1/decisions/{id}") => Contract {
            response: Some(named::<decisions::DecisionView>),
            ..c(200)
        },
        ("post", "/api/v1/decisions/{id}/drafts") => Contract {
            body: Some(named::<decisions::DraftBody>),
            response: Some(named::<decisions::DecisionView>),
            ..c(201)
        },
        ("get", "/api/v1/decisions/{id}/drafts/{number}") => Contract {
            response: Some(named::<decisions::DraftView>),
            ..c(200)
        },
        ("post", "/api/v1/decisions/{id}/commands") => Contract {
            body: Some(named::<decisions::CommandBody>),
            response: Some(named::<decisions::DecisionView>),
            ..c(200)
        },
        ("get", "/api/v1/decisions/{id}/events") => Contract {
            query: Some(inline::<decisions::EventsQuery>),
            response: Some(named::<Page<decisions::EventView>>),
            ..c(200)
        },
        ("get", "/api/v1/decisions/{id}/dossier") => Contract {
            file: Some(super::dossier::ZIP),
            ..c(200)
        },
        ("get", "/api/v1/decisions/{id}/execution") => Contract {
            response: Some(named::<crate::service::execution::ExecutionView>),
            ..c(200)
        },
        ("post", "/api/v1/public/decisions/{id}/feedback") => Contract {
            body: Some(named::<execution::FeedbackForm>),
            response: Some(named::<crate::service::execution::FeedbackReceipt>),
            ..c(201)
        },
        ("get", "/api/v1/decisions/{id}/personal-data-reads") => Contract {
            response: Some(named::<Vec<decisions::PersonalDataReadView>>),
            ..c(200)
        },
        ("get", "/api/v1/decisions/{id}/comments") => Contract {
            query: Some(inline::<comments::Page>),
            // The JSON pages; `?format=csv` streams `text/csv` instead.
            response: Some(named::<Page<comments::StaffComment>>),
            ..c(200)
        },
        ("post", "/api/v1/decisions/{id}/comments/report") => Contract {
            body: Some(named::<comments::AtVersion>),
            response: Some(named::<comments::ReportView>),
            ..c(201)
        },
        ("get", "/api/v1/public/decisions/{id}/consultation") => Contract {
            response: Some(named::<comments::ConsultationView>),
            ..c(200)
        },
        ("post", "/api/v1/public/decisions/{id}/comments") => Contract {
            body: Some(named::<comments::CommentForm>),
            response: Some(named::<crate::db::comments::Receipt>),
            replay: true,
            ..c(201)
        },
        ("get", "/api/v1/public/decisions/{id}/comments") => Contract {
            query: Some(inline::<comments::Page>),
            response: Some(named::<Page<comments::PublicComment>>),
            ..c(200)
        },
        ("get", "/api/v1/clock") => Contract {
            response: Some(named::<clock::ClockView>),
            ..c(200)
        },
        ("post", "/api/v1/clock/advance") => Contract {
            body: Some(named::<clock::Advance>),
            response: Some(named::<clock::ClockView>),
            ..c(200)
        },
        ("get", "/api/v1/public/decisions/{id}/hearing") => Contract {
            response: Some(named::<hearings::PublicHearing>),
            ..c(200)
        },
        ("post", "/api/v1/public/decisions/{id}/hearing/applications") => Contract {
            body: Some(named::<hearings::ApplicationBody>),
            response: Some(named::<hearings::ApplicationReceipt>),
            replay: true,
            ..c(201)
        },
        ("get", "/api/v1/decisions/{id}/hearing/applications") => Contract {
            response: Some(named::<Vec<hearings::ApplicationView>>),
            ..c(200)
        },
        ("post", "/api/v1/decisions/{id}/hearing/selection") => Contract {
            body: Some(named::<hearings::SelectionBody>),
            response: Some(named::<hearings::DrawView>),
            ..c(201)
        },
        ("post", "/api/v1/experts") => Contract {
            body: Some(named::<experts::NewExpert>),
            response: Some(named::<experts::ExpertView>),
            replay: true,
            ..c(201)
        },
        ("get", "/api/v1/experts") => Contract {
            query: Some(inline::<experts::Search>),
            response: Some(named::<Page<experts::ExpertView>>),
            ..c(200)
        },
        ("get", "/api/v1/experts/{id}") => Contract {
            response: Some(named::<experts::ExpertView>),
            ..c(200)
        },
        ("post", "/api/v1/experts/{id}/deactivate") => Contract {
            body: Some(named::<experts::Deactivate>),
            response: Some(named::<experts::ExpertView>),
            ..c(200)
        },
        ("post", "/api/v1/decisions/{id}/experts") => Contract {
            body: Some(named::<experts::Select>),
            response: Some(named::<experts::SelectedView>),
            ..c(200)
        },
        ("post", "/api/v1/catalogs") => Contract {
            body: Some(named::<catalogs::Open>),
            response: Some(named::<crate::service::catalogs::CatalogView>),
            ..c(201)
        },
        ("get", "/api/v1/catalogs") => Contract {
            query: Some(inline::<catalogs::ListQuery>),
            response: Some(named::<Vec<catalogs::CatalogSummary>>),
            ..c(200)
        },
        ("get", "/api/v1/catalogs/{id}") => Contract {
            response: Some(named::<crate::service::catalogs::CatalogView>),
            ..c(200)
        },
        ("post", "/api/v1/catalogs/{id}/commands") => Contract {
            body: Some(named::<catalogs::CommandBody>),
            response: Some(named::<crate::service::catalogs::CatalogView>),
            ..c(200)
        },
        ("get", "/api/v1/catalogs/{id}/revisions/{revision}")
        | ("get", "/api/v1/public/catalogs/{id}/revisions/{revision}") => Contract {
            response: Some(named::<crate::service::catalogs::RevisionView>),
            ..c(200)
        },
        ("get", "/api/v1/catalogs/{id}/coverage") => Contract {
            query: Some(inline::<catalogs::FormatQuery>),
            response: Some(named::<crate::service::catalogs::CoverageView>),
            exports: true,
            ..c(200)
        },
        ("get", "/api/v1/reports") => Contract {
            query: Some(inline::<catalogs::ReportQuery>),
            response: Some(named::<crate::service::report::Report>),
            exports: true,
            ..c(200)
        },
        ("get", "/api/v1/public/digests") => Contract {
            query: Some(inline::<super::digests::DigestQuery>),
            response: Some(named::<crate::service::digests::SealPage>),
            ..c(200)
        },
        ("get", "/api/v1/public/catalogs") => Contract {
            query: Some(inline::<catalogs::PublicQuery>),
            response: Some(named::<Vec<catalogs::PublicListing>>),
            ..c(200)
        },
        ("get", "/api/v1/public/catalogs/{id}") => Contract {
            response: Some(named::<crate::service::catalogs::PublicCatalogView>),
            ..c(200)
        },
        ("get", "/api/v1/public/catalogs/{id}/export") => Contract {
            query: Some(inline::<catalogs::ExportQuery>),
            response: Some(named::<crate::service::catalogs::RevisionView>),
            exports: true,
            ..c(200)
        },
        ("get", "/api/v1/deadlines") => Contract {
            query: Some(inline::<deadlines::Query>),
            response: Some(named::<Vec<deadlines::DeadlineView>>),
            ..c(200)
        },
        ("post", "/api/v1/webhooks") => Contract {
            body: Some(named::<webhooks::Create>),
            response: Some(named::<webhooks::CreatedView>),
            ..c(201)
        },
        ("get", "/api/v1/webhooks") => Contract {
            response: Some(named::<Vec<webhooks::WebhookView>>),
            ..c(200)
        },
        ("delete", "/api/v1/webhooks/{id}") => c(204),
        ("get", "/api/v1/webhooks/{id}/deliveries") => Contract {
            query: Some(inline::<webhooks::DeliveriesQuery>),
            response: Some(named::<Vec<webhooks::DeliveryView>>),
            ..c(200)
        },
        // This document itself (an OpenAPI 3.1 object) is not described by itself.
        _ => c(200),
    }
}

/// Whether a route needs no sign-in.
pub fn is_public(method: &str, path: &str) -> bool {
    path.starts_with("/api/v1/public/")
        || matches!(
            (method, path),
            ("post", "/api/v1/session") | ("get", "/api/openapi.json") | ("get", "/api/v1/clock")
        )
}

/// The problems a route may answer, by status.
fn problems(method: &str, path: &str, contract: &Contract) -> Vec<(u16, &'static str)> {
    let mut out = vec![(503, "the database is unavailable / 服务暂不可用")];
    if path == "/api/v1/session" && method == "post" {
        out.push((401, "wrong username or password / 用户名或密码错误"));
    }
    if !is_public(method, path) {
        out.push((401, "no or an expired token / 未登录或登录已失效"));
        out.push((403, "the caller's role does not allow it / 无权进行此操作"));
    }
    // A path id, or a query that names one (`?decision_id=`), may name nothing.
    if path.contains('{') || (contract.query.is_some() && !is_public(method, path)) {
        out.push((404, "no such resource, or not for this caller / 未找到"));
    }
    if contract.body.is_some() {
        out.push((400, "malformed JSON or not JSON / 请求格式错误"));
        out.push((413, "the body is too large / 请求过大"));
        out.push((
            422,
            "a field is missing, of the wrong type, unknown or out of bounds; the detail names it / 请求内容无效",
        ));
    } else if contract.query.is_some() {
        out.push((400, "a query parameter is invalid / 请求格式错误"));
    }
    if method == "post" && (path.contains("/decisions") || path.contains("/experts")) {
        out.push((
            409,
            "refused by the procedure (violations, each with rule and basis), or the decision is at another version (type /problems/stale; the same command sent again by the same user at the version it was first given at is answered as the first time instead) / 违反法定程序",
        ));
    }
    if method == "post" && path.starts_with("/api/v1/catalogs") {
        out.push((
            409,
            "refused by the catalog's rules (violations, each with rule and basis), the catalog is at another version (type /problems/stale), or the organ's catalog for the year exists (type /problems/conflict) / 违反目录规则或已存在",
        ));
    }
    if (method == "post" && path.starts_with("/api/v1/public/")) || path == "/api/v1/session" {
        out.push((
            429,
            "too many requests from this address or for this username / 请求过于频繁",
        ));
    }
    out.sort();
    out
}

/// The document.
pub fn spec() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut g = SchemaGenerator::new(settings);
    let problem = g.subschema_for::<Problem>();
    let mut paths = Map::new();
    for (method, path, tag, summary) in ROUTES {
        let contract = contract(method, path);
        let mut params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if let Some(query) = contract.query {
            let schema = query(&mut g).to_value();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = schema["properties"].as_object() {
                for (name, s) in props {
                    let mut p = json!({
                        "name": name, "in": "query", "required": required.contains(&name.as_str()),
                        "schema": s,
                    });
                    if let Some(d) = s.get("description") {
                        p["description"] = d.clone();
                    }
                    params.push(p);
                }
            }
        }
        let success = match (contract.file, contract.response) {
            (Some(media), _) => json!({
                "description": "OK (a file, as an attachment)",
                "content": { media: { "schema": { "type": "string", "contentMediaType": media } } }
            }),
            (None, Some(response)) => json!({
                "description": "OK",
                "content": { "application/json": { "schema": response(&mut g).to_value() } }
            }),
            (None, None) if contract.ok == 204 => json!({ "description": "No content" }),
            (None, None) => json!({
                "description": "OK",
                "content": { "application/json": { "schema": { "type": ["object", "array"] } } }
            }),
        };
        let mut responses = Map::new();
        if contract.replay {
            responses.insert(
                "200".into(),
                json!({ "description": "a retry with the same Idempotency-Key: what was stored", "content": success["content"].clone() }),
            );
        }
        let mut success = success;
        if contract.exports {
            success["content"]["text/csv"] = json!({ "schema": { "type": "string", "description": "UTF-8 with a byte-order mark; the first sheet" } });
            success["content"][catalogs::XLSX] =
                json!({ "schema": { "type": "string", "contentMediaType": catalogs::XLSX } });
        }
        if *method == "get" && TAGGED.contains(path) {
            success["headers"] = json!({ "ETag": {
                "description": "the view's version: send it back in If-None-Match",
                "schema": { "type": "string" } } });
            responses.insert(
                "304".into(),
                json!({ "description": "Not modified: the view named in If-None-Match is current" }),
            );
            params.push(
                json!({ "name": "If-None-Match", "in": "header", "required": false,
                "description": "the ETag of a view read before", "schema": { "type": "string" } }),
            );
        }
        responses.insert(contract.ok.to_string(), success);
        for (status, what) in problems(method, path, &contract) {
            responses.insert(
                status.to_string(),
                json!({
                    "description": what,
                    "content": { "application/problem+json": { "schema": problem.clone().to_value() } }
                }),
            );
        }
        let mut op = json!({
            "tags": [tag],
            "summary": summary,
            "operationId": format!("{method}_{}", path.trim_start_matches('/').replace(['/', '{', '}', '.', '-'], "_")),
            "parameters": params,
            "responses": responses,
        });
        if !is_public(method, path) {
            op["security"] = json!([{ "bearer": [] }]);
        }
        if let Some(body) = contract.body {
            op["requestBody"] = json!({
                "required": true,
                "content": { "application/json": { "schema": body(&mut g).to_value() } }
            });
        }
        let entry = paths
            .entry(path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[*method] = op;
    }
    let schemas: Map<String, Value> = g.take_definitions(true).into_iter().collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "juece API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "重大行政决策程序引擎 — the major administrative decision procedure, enforced. Procedure refusals are 409 problem+json with violations [{rule, basis, message_zh, message_en}]."
        },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas,
        }
    })
}

/// A problem (RFC 9457), as every error is answered.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct Problem {
    /// `/problems/<kind>`, e.g. `/problems/procedure-violation`, `/problems/stale`.
    r#type: String,
    /// Title in English.
    title: String,
    /// Title in Chinese.
    title_zh: String,
    /// The HTTP status.
    status: u16,
    /// What is wrong; names the field for 422.
    detail: String,
    /// For a procedure refusal: every rule broken.
    #[schemars(default)]
    violations: Option<Vec<Violation>>,
    /// For a stale version: what the client expected.
    #[schemars(default)]
    expected_version: Option<i64>,
    /// For a stale version: the decision's version now.
    #[schemars(default)]
    current_version: Option<i64>,
}

/// `GET /api/openapi.json`
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(spec())
}
