//! Error pages drawn with the request they answer: a clerk who is refused still sees their own
//! header (not 工作人员登录), and a citizen in the 长辈版 stays in it. `AppError` leaves what to
//! say in the response; this middleware renders it once the request is known.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::state::AppState;
use crate::web::page::Page;

/// What an error page says, left in the response's extensions by `AppError`.
#[derive(Clone)]
pub struct Said(pub String);

pub async fn in_context(req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, Error> {
    let response = next.call(req).await?;
    let Some(Said(message)) = response.response().extensions().get::<Said>().cloned() else { return Ok(response) };
    let (request, response) = response.into_parts();
    let Some(state) = request.app_data::<web::Data<AppState>>() else { return Ok(ServiceResponse::new(request, response)) };
    let status = response.status();
    let mut page = Page::new(&request, "");
    page.insert("status", &status.as_u16()).insert("message", &message);
    let Ok(mut rendered) = page.render_with_status(&state.tera, "error.html", status) else {
        return Ok(ServiceResponse::new(request, response));
    };
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(request, rendered))
}
