//! `GET /console/decisions/{id}/dossier.zip`: the decision's dossier (第三十三条) for a signed-in
//! reader, the same archive as `GET /api/v1/decisions/{id}/dossier` (`service::dossier`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::render::{self, PageError};
use super::session::session;
use crate::api::common::engine;
use crate::app::AppState;
use crate::service::dossier;

/// `GET /console/decisions/{id}/dossier.zip`
pub async fn download(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let st = state.clone();
    let d = web::block(move || -> Result<_, PageError> {
        let mut conn = st.db.read.get()?;
        Ok(dossier::export(
            &mut conn,
            &engine(&st),
            Some(&s.principal),
            &id,
            st.clock.now(),
        )?)
    })
    .await??;
    let mut res = render::builder(StatusCode::OK);
    res.content_type(crate::api::dossier::ZIP).insert_header((
        "content-disposition",
        format!("attachment; filename=\"{}\"", d.file_name),
    ));
    Ok(res.body(d.bytes))
}
