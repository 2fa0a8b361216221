//! The OpenAPI 3.1 document, generated from the route table so it cannot drift from the routes.

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::ROUTES;

/// The document.
pub fn spec() -> Value {
    let mut paths = Map::new();
    for (method, path, tag, summary) in ROUTES {
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let mut op = json!({
            "tags": [tag],
            "summary": summary,
            "operationId": format!("{method}_{}", path.trim_start_matches('/').replace(['/', '{', '}', '.'], "_")),
            "parameters": params,
            "responses": {
                "200": { "description": "OK" },
                "4XX": { "description": "Problem", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            }
        });
        let public = path.starts_with("/api/v1/public/")
            || matches!(
                (*method, *path),
                ("post", "/api/v1/session")
                    | ("get", "/api/openapi.json")
                    | ("get", "/api/v1/clock")
            );
        if !public {
            op["security"] = json!([{ "bearer": [] }]);
        }
        if matches!(*method, "post") {
            op["requestBody"] =
                json!({ "content": { "application/json": { "schema": { "type": "object" } } } });
        }
        let entry = paths
            .entry(path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[*method] = op;
    }
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
            "schemas": {
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": { "type": "string" },
                        "title": { "type": "string" },
                        "title_zh": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" },
                        "violations": { "type": "array", "items": { "$ref": "#/components/schemas/Violation" } }
                    }
                },
                "Violation": {
                    "type": "object",
                    "properties": {
                        "rule": { "type": "string" },
                        "basis": { "type": "string" },
                        "stage": { "type": "string" },
                        "message_zh": { "type": "string" },
                        "message_en": { "type": "string" }
                    }
                }
            }
        }
    })
}

/// `GET /api/openapi.json`
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(spec())
}
