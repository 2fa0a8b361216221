//! The catalog editor of the console: the user's organs' catalogs (and opening one), a catalog's
//! staff view with the forms to add, change and withdraw items, record the party committee's
//! consent and publish, and its coverage with downloads. Every form goes through
//! `service::catalogs::command` at the version the page was rendered at, as
//! `POST /api/v1/catalogs/{id}/commands` does; a refusal is the engine's own, shown on the page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

use super::catalogs::{
    catalog_status_zh, change_zh, consent_json, items_json, revisions_json, stage_names,
    standing_json,
};
use super::render::{self, html, page, see_other, zh, PageError, FORBIDDEN, INVALID};
use super::security::{self, field};
use super::session::{session, Session};
use crate::access::{self, role};
use crate::api::catalogs::XLSX;
use crate::api::common::engine;
use crate::app::AppState;
use crate::db::{accounts, catalogs as db};
use crate::export;
use crate::procedure::catalog::{CatalogCommand, ItemSpec, PROCEDURES};
use crate::procedure::state::{china_date, Attributes, Category, OrganKind, StageId};
use crate::procedure::{Pack, Violation};
use crate::service::catalogs::{self as service, pack_of, CatalogView};
use crate::service::ServiceError;

/// The largest catalog form, in bytes.
const FORM_BYTES: usize = 64 * 1024;

/// What a refused or invalid form leaves on the page.
#[derive(Default)]
struct Flash {
    violations: Vec<Violation>,
    error: Option<String>,
    /// An add form as it was sent, to show again filled.
    sent: Option<Sent>,
}

/// What an item form (add, change, withdraw) sent: shown again, filled, when it is refused or
/// wrong — on the form it came from.
struct Sent {
    /// `add_item`, `change_item` or `withdraw_item`.
    kind: String,
    /// The item changed or withdrawn.
    item_id: String,
    values: Value,
    attributes: Attributes,
    procedures: Vec<StageId>,
}

impl Sent {
    /// The item form's fields, when `form` is one.
    fn of(form: &[(String, String)]) -> Option<Sent> {
        let kind = field(form, "kind")?;
        if !matches!(kind, "add_item" | "change_item" | "withdraw_item") {
            return None;
        }
        let category = field(form, "category")
            .and_then(|c| serde_json::from_value::<Category>(json!(c)).ok())
            .unwrap_or(Category::PublicPolicy);
        let (attributes, procedures) = checked(form, category);
        Some(Sent {
            kind: kind.to_string(),
            item_id: text(form, "item_id"),
            values: json!({
                "title": text(form, "title"),
                "undertaking_unit": text(form, "undertaking_unit"),
                "planned_by": text(form, "planned_by"),
                "note": text(form, "note"),
                "reason": text(form, "reason"),
            }),
            attributes,
            procedures,
        })
    }

    /// The form of `kind` for `item_id` (empty: the add form), if this is what it sent.
    fn is(&self, kind: &str, item_id: &str) -> bool {
        self.kind == kind && self.item_id == item_id
    }
}

/// The attributes and procedures checked on an item form.
fn checked(form: &[(String, String)], category: Category) -> (Attributes, Vec<StageId>) {
    let mut attributes = Attributes::new(category);
    let mut procedures = Vec::new();
    for (k, _) in form {
        if let Some(a) = k.strip_prefix("attr:") {
            attributes = attributes.with(a, true);
        } else if let Some(p) = k.strip_prefix("proc:") {
            procedures.push(StageId::new(p));
        }
    }
    (attributes, procedures)
}

/// The flash and status of a failed command; `None` for errors shown as error pages.
fn flash_of(e: ServiceError) -> Result<(Flash, StatusCode), PageError> {
    let error = |m: String, s: StatusCode| {
        Ok((
            Flash {
                error: Some(m),
                ..Flash::default()
            },
            s,
        ))
    };
    match e {
        ServiceError::Refused(v) => Ok((
            Flash {
                violations: v,
                ..Flash::default()
            },
            StatusCode::CONFLICT,
        )),
        ServiceError::Stale { actual, .. } => error(
            format!("目录已被他人更新（现为第 {actual} 版），请核对后重新提交。"),
            StatusCode::CONFLICT,
        ),
        ServiceError::Invalid(m) => error(zh(&m, INVALID), StatusCode::UNPROCESSABLE_ENTITY),
        ServiceError::Conflict(m) => error(zh(&m, "已存在，不能重复创建。"), StatusCode::CONFLICT),
        other => Err(other.into()),
    }
}

/// `GET /console/catalogs` — the user's organs' catalogs, and the form to open one.
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    list_page(&state, &s, Flash::default(), StatusCode::OK).await
}

async fn list_page(
    state: &web::Data<AppState>,
    s: &Session,
    flash: Flash,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let st = state.clone();
    let principal = s.principal.clone();
    let today = china_date(state.clock.now());
    let (rows, organs) = web::block(move || -> Result<(Vec<Value>, Vec<Value>), PageError> {
        let mut conn = st.db.read.get()?;
        let mut rows = Vec::new();
        let readable: Vec<String> = readable_organs(&mut conn, &principal)?
            .into_iter()
            .map(|o| o.id)
            .collect();
        for row in db::list(&mut conn, Some(&readable), None, false)? {
            let Ok(loaded) = service::readable(&mut conn, &principal, &row.id) else {
                continue;
            };
            rows.push(json!({
                "id": row.id,
                "organ": loaded.organ.name,
                "year": row.year,
                "status": catalog_status_zh(loaded.catalog.status),
                "revision": row.revision,
                "first_published_on": row.first_published_on,
            }));
        }
        // The organs the user keeps a catalog for: its staff, at an organ that decides.
        let mut organs = Vec::new();
        for id in principal.organs() {
            if !principal.has(role::ORGAN_STAFF, &id) {
                continue;
            }
            if let Some(o) = accounts::organ(&mut conn, &id)? {
                if OrganKind::of_stored(&o.kind).is_some() {
                    organs.push(json!({ "id": o.id, "name": o.name }));
                }
            }
        }
        Ok((rows, organs))
    })
    .await??;
    let data = json!({
        "rows": rows,
        "organs": organs,
        "year": today.year(),
        "csrf": security::console_token(&s.token),
        "violations": flash.violations,
        "error": flash.error,
    });
    let body = page("console_catalogs", "决策事项目录", &s.chrome(), &data)?;
    Ok(html(status, body))
}

/// The organs that decide whose catalogs and report the user may read: those they have a role
/// at, and those whose legality review unit they review for (`access::can_read_catalog`).
pub fn readable_organs(
    conn: &mut crate::db::DbConn,
    who: &crate::access::Principal,
) -> Result<Vec<crate::db::rows::Organ>, PageError> {
    Ok(accounts::all_organs(conn)?
        .into_iter()
        .filter(|o| OrganKind::of_stored(&o.kind).is_some())
        .filter(|o| access::can_read_catalog(who, &o.id, o.legality_unit_id.as_deref()))
        .collect())
}

/// `POST /console/catalogs` — open the catalog of an organ for a year.
pub async fn open(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let form = security::console_form(payload, FORM_BYTES, &s.token).await?;
    let organ = field(&form, "organ_id").unwrap_or_default().to_string();
    let Some(year) = field(&form, "year").and_then(|y| y.trim().parse::<i32>().ok()) else {
        let flash = Flash {
            error: Some("请填写年度。".into()),
            ..Flash::default()
        };
        return list_page(&state, &s, flash, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let st = state.clone();
    let principal = s.principal.clone();
    let result = web::block(move || {
        let mut conn = st.db.write.get()?;
        service::open(
            &mut conn,
            &engine(&st),
            &principal,
            &organ,
            year,
            st.clock.now(),
        )
    })
    .await?;
    match result {
        Ok(loaded) => Ok(see_other(&format!("/console/catalogs/{}", loaded.row.id))),
        Err(ServiceError::Forbidden(m)) => Err(PageError::Forbidden(zh(&m, FORBIDDEN))),
        Err(e) => {
            let (flash, status) = flash_of(e)?;
            list_page(&state, &s, flash, status).await
        }
    }
}

/// The item form's choices for `attributes` and `procedures` (none: a blank form).
fn choices(pack: &Pack, attributes: Option<&Attributes>, procedures: &[StageId]) -> Value {
    let category = attributes.map(|a| a.category);
    json!({
        "categories": Category::IN_SCOPE.iter().map(|c| json!({
            "value": service::category_name(*c),
            "name": c.zh(),
            "selected": Some(*c) == category,
        })).collect::<Vec<_>>(),
        "attributes": pack.attributes.iter().filter(|a| !a.excludes).map(|a| json!({
            "id": a.id,
            "name": a.name.zh,
            "checked": attributes.is_some_and(|x| x.get(&a.id)),
        })).collect::<Vec<_>>(),
        "procedures": PROCEDURES.iter().filter_map(|id| pack.stage(id)).map(|st| json!({
            "id": st.id.as_str(),
            "name": st.name.zh,
            "checked": procedures.contains(&st.id),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /console/catalogs/{id}` — the staff view with its forms.
pub async fn catalog(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    catalog_page(
        &state,
        &s,
        id.into_inner(),
        Flash::default(),
        StatusCode::OK,
    )
    .await
}

async fn catalog_page(
    state: &web::Data<AppState>,
    s: &Session,
    id: String,
    flash: Flash,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let st = state.clone();
    let principal = s.principal.clone();
    let today = china_date(state.clock.now());
    let sent = flash.sent;
    let (view, coverage, blank, forms, names, blank_values) =
        web::block(move || -> Result<_, PageError> {
            let mut conn = st.db.read.get()?;
            let loaded = service::readable(&mut conn, &principal, &id)?;
            let engine = engine(&st);
            let pack = pack_of(&engine, &loaded.row)?;
            let view: CatalogView = service::staff_view(&mut conn, &engine, &loaded, today)?;
            let coverage = service::coverage_view(&mut conn, &engine, &loaded)?;
            // The add form: blank, or as it was sent when it was refused.
            let (blank, blank_values) = match sent.as_ref().filter(|f| f.is("add_item", "")) {
                Some(f) => (
                    choices(pack, Some(&f.attributes), &f.procedures),
                    f.values.clone(),
                ),
                None => (
                    choices(pack, None, &[]),
                    json!({ "title": "", "undertaking_unit": "", "planned_by": "", "note": "",
                            "reason": "" }),
                ),
            };
            // Each item's change form, filled with its content (the organ's own procedures
            // checked) — or, for the item whose change or withdrawal was refused, with what was
            // sent, open.
            let forms: Vec<Value> = loaded
                .catalog
                .items_in_order()
                .into_iter()
                .map(|i| {
                    let spec = &i.current.spec;
                    let changed = sent.as_ref().filter(|f| f.is("change_item", &i.id));
                    let withdrawn = sent.as_ref().filter(|f| f.is("withdraw_item", &i.id));
                    let mut form = match changed {
                        Some(f) => f.values.clone(),
                        None => json!({
                            "title": spec.title,
                            "undertaking_unit": spec.undertaking_unit,
                            "planned_by": spec.planned_by,
                            "note": spec.note,
                            "reason": "",
                        }),
                    };
                    form["id"] = json!(i.id);
                    form["choices"] = match changed {
                        Some(f) => choices(pack, Some(&f.attributes), &f.procedures),
                        None => choices(pack, Some(&spec.attributes), &spec.procedures),
                    };
                    form["open"] = json!(changed.is_some());
                    form["withdraw_open"] = json!(withdrawn.is_some());
                    form["withdraw_reason"] = json!(withdrawn
                        .and_then(|f| f.values["reason"].as_str())
                        .unwrap_or_default());
                    form
                })
                .collect();
            Ok((
                view,
                coverage,
                blank,
                forms,
                stage_names(pack),
                blank_values,
            ))
        })
        .await??;
    let writer = access::catalog_writer(&s.principal, &view.organ.id).is_ok();
    let mut items = items_json(&view.items, &names);
    let csrf = security::console_token(&s.token);
    let published = view.revision > 0;
    // What each item's forms need, on the item (no `../` in the templates).
    for (item, form) in items.iter_mut().zip(forms) {
        item["form"] = form;
        item["catalog_id"] = json!(view.id);
        item["csrf"] = json!(csrf);
        item["version"] = json!(view.version);
        item["published"] = json!(published);
        item["writer"] = json!(writer);
    }
    let title = format!("{}{}年度决策事项目录", view.organ.name, view.year);
    let data = json!({
        "id": view.id,
        "organ": view.organ.name,
        "year": view.year,
        "pack": view.pack,
        "status": catalog_status_zh(view.status),
        "published": published,
        "revision": view.revision,
        "version": view.version,
        "standing": standing_json(&view.standing),
        "consent": consent_json(view.consent.as_ref()),
        // The consent no longer covers changes waiting to be published.
        "consent_stale": !view.consent_current && !view.pending.is_empty(),
        "items": items,
        "pending": view.pending.iter().map(|c| json!({
            "number": c.number, "title": c.title, "kind": change_zh(c.kind), "reason": c.reason,
        })).collect::<Vec<_>>(),
        "revisions": revisions_json(&view.revisions, published.then_some(view.id.as_str())),
        "blank": blank,
        "blank_values": blank_values,
        "writer": writer,
        "today": today,
        "csrf": csrf,
        "violations": flash.violations,
        "error": flash.error,
        "coverage": {
            "outside_count": coverage.decisions_outside_catalog.len(),
            "items": coverage.items,
            "started": coverage.started,
            "adopted": coverage.adopted,
            "not_started": coverage.not_started,
            "decisions_started": coverage.decisions_started,
            "outside": coverage.decisions_outside_catalog,
            // Formatted here: a share of 0 is falsy in a template.
            "share": coverage.share_in_catalog.map(|v| format!("{v:.1}%")),
            "target": coverage.target,
            "target_basis": coverage.target_basis,
            "rows": coverage.rows.iter().map(|r| json!({
                "number": r.number,
                "title": r.title,
                "standing": service::standing_zh(&r.standing),
                "decision": r.decision.as_ref().map(|d| d.id.clone()),
            })).collect::<Vec<_>>(),
        },
    });
    let body = page("console_catalog", &title, &s.chrome(), &data)?;
    Ok(html(status, body))
}

fn text(form: &[(String, String)], name: &str) -> String {
    field(form, name).unwrap_or_default().trim().to_string()
}

fn optional(form: &[(String, String)], name: &str) -> Option<String> {
    Some(text(form, name)).filter(|s| !s.is_empty())
}

fn date(form: &[(String, String)], name: &str) -> Result<Option<NaiveDate>, String> {
    optional(form, name)
        .map(|d| {
            d.parse()
                .map_err(|_| format!("{name}: 日期格式应为 YYYY-MM-DD / not a date"))
        })
        .transpose()
}

/// The item of an add or change form.
fn item_spec(form: &[(String, String)]) -> Result<ItemSpec, String> {
    let category = field(form, "category")
        .and_then(|c| serde_json::from_value::<Category>(json!(c)).ok())
        .filter(|c| Category::IN_SCOPE.contains(c))
        .ok_or_else(|| "category: 请选择决策事项类别 / choose a category".to_string())?;
    let (attributes, procedures) = checked(form, category);
    let title = text(form, "title");
    if title.is_empty() {
        return Err("title: 请填写决策事项名称 / the title is empty".into());
    }
    let undertaking_unit = text(form, "undertaking_unit");
    if undertaking_unit.is_empty() {
        return Err("undertaking_unit: 请填写承办单位 / the undertaking unit is empty".into());
    }
    Ok(ItemSpec {
        title,
        undertaking_unit,
        attributes,
        procedures,
        planned_by: date(form, "planned_by")?,
        note: optional(form, "note"),
    })
}

/// The command of a catalog form.
fn command_of(form: &[(String, String)]) -> Result<CatalogCommand, String> {
    let reason = optional(form, "reason");
    let item_id =
        || optional(form, "item_id").ok_or_else(|| "item_id: 缺少事项 / missing".to_string());
    match field(form, "kind") {
        Some("add_item") => Ok(CatalogCommand::AddItem {
            item: item_spec(form)?,
            reason,
        }),
        Some("change_item") => Ok(CatalogCommand::ChangeItem {
            item_id: item_id()?,
            item: item_spec(form)?,
            reason,
        }),
        Some("withdraw_item") => Ok(CatalogCommand::WithdrawItem {
            item_id: item_id()?,
            reason,
        }),
        Some("record_consent") => Ok(CatalogCommand::RecordConsent {
            body: optional(form, "body")
                .ok_or_else(|| "body: 请填写同意的党委 / missing".to_string())?,
            consented_on: date(form, "consented_on")?
                .ok_or_else(|| "consented_on: 请填写同意日期 / missing".to_string())?,
            document_number: optional(form, "document_number")
                .ok_or_else(|| "document_number: 请填写文号 / missing".to_string())?,
        }),
        Some("publish") => Ok(CatalogCommand::Publish {}),
        _ => Err("kind: 未知的操作 / unknown command".into()),
    }
}

/// `POST /console/catalogs/{id}/commands` — a form's command at the version the page showed.
pub async fn command(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let form = security::console_form(payload, FORM_BYTES, &s.token).await?;
    let id = id.into_inner();
    let expected = field(&form, "expected_version").and_then(|v| v.parse::<i64>().ok());
    let (expected, cmd) = match (expected, command_of(&form)) {
        (Some(e), Ok(c)) => (e, c),
        (None, _) | (_, Err(_)) => {
            let m = command_of(&form)
                .err()
                .unwrap_or_else(|| "expected_version: 缺少版本号 / missing".into());
            let flash = Flash {
                error: Some(zh(&m, INVALID)),
                sent: Sent::of(&form),
                ..Flash::default()
            };
            return catalog_page(&state, &s, id, flash, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let st = state.clone();
    let principal = s.principal.clone();
    let cid = id.clone();
    let result = web::block(move || {
        let mut conn = st.db.write.get()?;
        service::command(
            &mut conn,
            &engine(&st),
            &principal,
            &cid,
            expected,
            cmd,
            st.clock.now(),
        )
    })
    .await?;
    match result {
        Ok(_) => Ok(see_other(&format!("/console/catalogs/{id}"))),
        Err(ServiceError::Forbidden(m)) => Err(PageError::Forbidden(zh(&m, FORBIDDEN))),
        Err(e) => {
            let (mut flash, status) = flash_of(e)?;
            flash.sent = Sent::of(&form);
            catalog_page(&state, &s, id, flash, status).await
        }
    }
}

/// `GET /console/catalogs/{id}/coverage.{csv|xlsx}` — the coverage table, with the session (the
/// API's coverage needs a bearer token).
pub async fn coverage(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let (id, ext) = path.into_inner();
    if ext != "csv" && ext != "xlsx" {
        return Err(PageError::NotFound("没有这种下载格式。".into()));
    }
    let st = state.clone();
    let principal = s.principal.clone();
    let view = web::block(move || -> Result<_, PageError> {
        let mut conn = st.db.read.get()?;
        let loaded = service::readable(&mut conn, &principal, &id)?;
        Ok(service::coverage_view(&mut conn, &engine(&st), &loaded)?)
    })
    .await??;
    let sheet = service::coverage_sheet(&view);
    let name = format!("coverage-{}-{}.{ext}", view.year, view.catalog_id);
    download(&ext, &[sheet], &name)
}

/// A sheet (CSV: the first) or a workbook as an attachment.
pub fn download(
    ext: &str,
    sheets: &[export::Sheet],
    name: &str,
) -> Result<HttpResponse, PageError> {
    let (kind, body) = if ext == "csv" {
        (
            "text/csv; charset=utf-8",
            sheets
                .first()
                .map(export::csv)
                .unwrap_or_default()
                .into_bytes(),
        )
    } else {
        (XLSX, export::xlsx(sheets).map_err(PageError::Internal)?)
    };
    Ok(attachment(kind, body, name))
}

/// A file as an attachment named `name`.
pub fn attachment(kind: &str, body: Vec<u8>, name: &str) -> HttpResponse {
    let mut res = render::builder(StatusCode::OK);
    res.content_type(kind).insert_header((
        "content-disposition",
        format!("attachment; filename=\"{name}\""),
    ));
    res.body(body)
}
