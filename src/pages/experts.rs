//! The console's expert registry (专家库, 第二十一条): the registries the user may read (their
//! organs' and those above them), each expert with their fields and whether they may be chosen;
//! for the registry's staff, the forms to add an expert and to take one out of service. The
//! forms go through `service::experts`, as `POST /api/v1/experts` and
//! `POST /api/v1/experts/{id}/deactivate` do; an error is shown next to its field, with what was
//! typed kept.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::render::{html, page, see_other, zh, PageError};
use super::security::{self, field};
use super::session::{session, Session};
use crate::app::AppState;
use crate::db::{accounts, registry};
use crate::service::experts::{self as service, NewExpert};
use crate::service::ServiceError;

/// The largest registry form, in bytes.
const FORM_BYTES: usize = 32 * 1024;
/// The most experts a registry page lists.
const PAGE: i64 = 500;

/// `?organ_id=`: which registry.
#[derive(Deserialize, Default)]
pub struct Which {
    #[serde(default)]
    organ_id: Option<String>,
}

/// What a refused form leaves on the page: the values typed and the errors by field.
#[derive(Default)]
struct Flash {
    /// The add form as sent.
    add: Option<Value>,
    /// The expert whose deactivation was refused, with the reason typed and the error.
    deactivate: Option<(String, String, String)>,
}

/// `GET /console/experts?organ_id=` — a registry, with its forms for its staff.
pub async fn registry_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Which>,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    render(
        &state,
        &s,
        q.into_inner().organ_id,
        Flash::default(),
        StatusCode::OK,
    )
    .await
}

async fn render(
    state: &web::Data<AppState>,
    s: &Session,
    asked: Option<String>,
    flash: Flash,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let st = state.clone();
    let principal = s.principal.clone();
    let (registries, organ, experts) = web::block(move || -> Result<_, PageError> {
        let mut conn = st.db.read.get()?;
        let mut registries = Vec::new();
        for id in service::readable_registries(&mut conn, &principal)? {
            if let Some(o) = accounts::organ(&mut conn, &id)? {
                registries.push((o.id, o.name));
            }
        }
        // The registry asked for, else the first the user keeps, else the first they may read.
        let chosen = match asked {
            Some(a) if registries.iter().any(|(id, _)| *id == a) => a,
            Some(_) => return Err(PageError::NotFound("没有该专家库，或您无权查看。".into())),
            None => match registries
                .iter()
                .find(|(id, _)| service::registry_staff(&principal, id).is_ok())
                .or(registries.first())
            {
                Some((id, _)) => id.clone(),
                None => return Ok((registries, None, Vec::new())),
            },
        };
        let experts = registry::search_experts(
            &mut conn,
            std::slice::from_ref(&chosen),
            None,
            false,
            None,
            PAGE,
        )?;
        Ok((registries, Some(chosen), experts))
    })
    .await??;
    let writer = organ
        .as_deref()
        .is_some_and(|o| service::registry_staff(&s.principal, o).is_ok());
    let csrf = security::console_token(&s.token);
    let refused = flash.deactivate.as_ref();
    let rows: Vec<Value> = experts
        .iter()
        .map(|e| {
            let mine = refused.filter(|(id, _, _)| *id == e.id);
            json!({
                "id": e.id,
                "name": e.name,
                "organisation": e.organisation,
                "fields": serde_json::from_str::<Vec<String>>(&e.fields).unwrap_or_default().join("、"),
                "active": e.active,
                "deactivated_at": e.deactivated_at.map(|t| t.format("%Y-%m-%d").to_string()),
                "deactivation_reason": e.deactivation_reason,
                "organ_id": e.organ_id,
                "writer": writer,
                "csrf": csrf,
                "reason": mine.map(|(_, r, _)| r.clone()).unwrap_or_default(),
                "error": mine.map(|(_, _, m)| m.clone()),
            })
        })
        .collect();
    let name = organ
        .as_deref()
        .and_then(|o| registries.iter().find(|(id, _)| id == o))
        .map(|(_, n)| n.clone());
    let blank = json!({ "name": "", "organisation": "", "fields": "", "errors": errors(None) });
    let data = json!({
        "registries": registries.iter().map(|(id, n)| json!({
            "id": id, "name": n, "selected": Some(id) == organ.as_ref(),
        })).collect::<Vec<_>>(),
        "organ_id": organ,
        "organ": name,
        "experts": rows,
        "writer": writer,
        "csrf": csrf,
        "key": security::random_token(),
        "add": flash.add.unwrap_or(blank),
    });
    let body = page("experts", "专家库", &s.chrome(), &data)?;
    Ok(html(status, body))
}

/// The field a service message names (`field: …`), for the error beside it.
fn field_of(message: &str) -> &str {
    let name = message.split_once(':').map(|(f, _)| f).unwrap_or("");
    match name {
        n if n.starts_with("fields") => "fields",
        "name" | "organisation" | "reason" => name,
        _ => "form",
    }
}

/// The add form's errors by field (every field present: the templates are strict).
fn errors(message: Option<&str>) -> Value {
    let mut e = json!({ "name": null, "organisation": null, "fields": null, "form": null });
    if let Some(m) = message {
        e[field_of(m)] = json!(zh(m, "填写的内容无效。"));
    }
    e
}

/// The fields of expertise as typed: separated by commas, 、, semicolons or new lines.
fn fields_typed(text: &str) -> Vec<String> {
    text.split([',', '，', '、', ';', '；', '\n'])
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect()
}

/// `POST /console/experts` — add an expert (the registry's staff).
pub async fn add(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let form = security::console_form(payload, FORM_BYTES, &s.token).await?;
    let get = |k: &str| field(&form, k).unwrap_or_default().to_string();
    let organ = get("organ_id");
    let new = NewExpert {
        organ_id: organ.clone(),
        name: get("name"),
        fields: fields_typed(&get("fields")),
        organisation: Some(get("organisation")),
        idempotency_key: Some(get("idempotency_key")).filter(|k| !k.is_empty() && k.len() <= 200),
    };
    let st = state.clone();
    let principal = s.principal.clone();
    let result = web::block(move || {
        let mut conn = st.db.write.get()?;
        service::add(&mut conn, &principal, new, st.clock.now())
    })
    .await?;
    match result {
        Ok((e, _)) => Ok(see_other(&format!(
            "/console/experts?organ_id={organ}#expert-{}",
            e.id
        ))),
        Err(ServiceError::Invalid(m)) => {
            let add = json!({
                "name": get("name"),
                "organisation": get("organisation"),
                "fields": get("fields"),
                "errors": errors(Some(&m)),
            });
            let flash = Flash {
                add: Some(add),
                ..Flash::default()
            };
            render(
                &state,
                &s,
                Some(organ),
                flash,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/experts/{id}/deactivate` — take an expert out of service (the registry's
/// staff), with the reason.
pub async fn deactivate(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let form = security::console_form(payload, FORM_BYTES, &s.token).await?;
    let id = id.into_inner();
    let reason = field(&form, "reason").unwrap_or_default().to_string();
    let st = state.clone();
    let principal = s.principal.clone();
    let (eid, why) = (id.clone(), reason.clone());
    let result = web::block(move || {
        let mut conn = st.db.write.get()?;
        service::deactivate(&mut conn, &principal, &eid, &why, st.clock.now())
    })
    .await?;
    match result {
        Ok(e) => Ok(see_other(&format!(
            "/console/experts?organ_id={}#expert-{}",
            e.organ_id, e.id
        ))),
        Err(ServiceError::Invalid(m)) => {
            let organ = field(&form, "organ_id").map(str::to_string);
            let flash = Flash {
                deactivate: Some((id, reason, zh(&m, "填写的内容无效。"))),
                ..Flash::default()
            };
            render(&state, &s, organ, flash, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
