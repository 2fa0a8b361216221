//! `GET /api/v1/decisions/{id}/dossier`: the decision's dossier (第三十三条) as a zip archive —
//! the printable record, the raw events, the drafts, the manifest of hashes. Checked offline by
//! `juece audit verify --dossier FILE.zip`.

use actix_web::{web, HttpResponse};

use super::auth::Auth;
use super::common::engine;
use super::error::ApiError;
use crate::app::AppState;
use crate::service::dossier;

/// The media type of the answer.
pub const ZIP: &str = "application/zip";

/// `GET /api/v1/decisions/{id}/dossier`
pub async fn download(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let d = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.read.get()?;
        Ok(dossier::export(
            &mut conn,
            &engine(&st),
            Some(&*auth),
            &id,
            st.clock.now(),
        )?)
    })
    .await??;
    Ok(HttpResponse::Ok()
        .content_type(ZIP)
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{}\"", d.file_name),
        ))
        .body(d.bytes))
}
