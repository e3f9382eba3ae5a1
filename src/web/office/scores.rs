//! The office's score desk: scores per level and period, the settings that make them, publishing and the workbook.

use actix_web::{HttpRequest, HttpResponse, get, http::header, post, web};
use entity::vocab::Role;
use serde::Deserialize;
use serde_json::json;

use super::see_other;
use crate::error::AppError;
use crate::score::formula::ScoreSettings;
use crate::service::{FieldErrors, ServiceError};
use crate::settings;
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(scores_page).service(save_score_settings).service(publish_scores).service(export_scores).service(score_subject);
}

#[derive(Deserialize)]
struct ScoresQuery {
    period: Option<String>,
    level: Option<String>,
}

fn period_of(value: Option<&str>, today: chrono::NaiveDate) -> crate::score::period::Period {
    use crate::score::period::Period;
    value.and_then(Period::parse).unwrap_or_else(|| Period::quarter_of(today))
}

async fn scores_view(
    req: &HttpRequest,
    state: &AppState,
    query: &ScoresQuery,
    errors: Option<&FieldErrors>,
    entered: Option<&ScoreSettings>,
) -> Result<HttpResponse, AppError> {
    use crate::score::{LEVELS, snapshot, view};
    let period = period_of(query.period.as_deref(), state.clock.today());
    let level = query.level.as_deref().filter(|l| LEVELS.iter().any(|(x, _)| x == l)).unwrap_or("unit");
    let (shown, previous) = snapshot::with_previous(&state.db, &period, Some(level)).await?;
    let (scores, version, published) = (shown.scores, shown.version, shown.published);
    let versions = snapshot::versions(&state.db, &period).await?;
    let mut labels: Vec<(String, String)> = versions
        .iter()
        .flat_map(|(_, list)| list.iter().filter(|s| s.level == level).map(|s| (s.subject.clone(), s.label.clone())))
        .collect();
    labels.sort();
    labels.dedup();
    let comparison: Vec<_> = labels
        .iter()
        .map(|(subject, label)| {
            let values: Vec<Option<f64>> = versions
                .iter()
                .map(|(_, list)| {
                    list.iter()
                        .find(|s| s.level == level && &s.subject == subject)
                        .and_then(|s| s.composite)
                        .map(|v| (v * 10.0).round() / 10.0)
                })
                .collect();
            json!({ "label": label, "values": values })
        })
        .collect();
    let (current_settings, _) = settings::current::<ScoreSettings>(&state.db).await?;
    let min_ratings = settings::at_version::<ScoreSettings>(&state.db, version).await?.0.min_ratings;
    let mut page = Page::new(req, "office");
    page.insert("period", &period.name())
        .insert("level", level)
        .insert("level_label", LEVELS.iter().find(|(l, _)| *l == level).map(|(_, label)| *label).unwrap_or(""))
        .insert("levels", LEVELS)
        .insert("version", &version)
        .insert("published", &published)
        .insert("computed_at", &shown.computed_at.map(crate::domain::time::minute))
        .insert("min_ratings", &min_ratings)
        .insert("rows", &view(&scores, &previous, level, min_ratings))
        .insert("versions", &versions.iter().map(|(v, _)| json!({ "version": v })).collect::<Vec<_>>())
        .insert("comparison", &comparison)
        .insert("settings", entered.unwrap_or(&current_settings))
        .insert("settled", &crate::opinions::revisits::settled(&state.db).await?)
        .insert("supervised", &crate::supervision::counts_by_unit(&state.db, state.clock.now() - chrono::Duration::days(90)).await?)
        .insert("reply_quality", &crate::opinions::reply_check::by_unit(&state.db, &three_months_back(state.clock.today())).await?);
    let status = page.errors(errors);
    page.render_with_status(&state.tera, "office/scores.html", status)
}

/// One subject's score explained: its components, its monthly trend, and the ratings behind it.
#[get("/office/scores/{level}/{subject}")]
async fn score_subject(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    query: web::Query<ScoresQuery>,
) -> Result<HttpResponse, AppError> {
    use crate::score::{period::Period, snapshot, view};
    user.require(&[Role::Office])?;
    let (level, subject) = path.into_inner();
    let period = period_of(query.period.as_deref(), state.clock.today());
    // The period, the one before, and the last twelve months (one trend point each), in one read.
    let mut months = vec![Period::parse(&state.clock.today().format("%Y-%m").to_string()).expect("a month parses")];
    while months.len() < 12 {
        months.push(months[months.len() - 1].previous());
    }
    let mut periods = vec![period, period.previous()];
    periods.extend(&months);
    let mut scores =
        snapshot::subject_over(&state.db, &periods, &level, &subject).await?.into_iter().map(|s| s.into_iter().collect::<Vec<_>>());
    let (now, before) = (scores.next().unwrap_or_default(), scores.next().unwrap_or_default());
    let row = view(&now, &before, &level, 0).into_iter().next().ok_or(AppError::NotFound)?;
    let mut trend: Vec<_> = months
        .iter()
        .zip(scores)
        .map(|(month, s)| {
            let point = view(&s, &[], &level, 0).into_iter().next();
            json!({ "period": month.name(), "composite": point.as_ref().and_then(|p| p["composite"].as_f64()), "n": point.map(|p| p["n"].clone()) })
        })
        .collect();
    trend.reverse();
    let ratings: Vec<_> = crate::score::ratings_behind(&state.db, &period, &level, &subject)
        .await?
        .into_iter()
        .take(200)
        .map(|r| json!({ "at": crate::domain::time::minute(r.created_at), "level": r.level.label(), "target": r.target.label(), "origin": r.origin.label(), "comment": r.comment, "tags": serde_json::from_str::<Vec<String>>(&r.tags).unwrap_or_default(), "opinion_id": r.opinion_id }))
        .collect();
    let mut page = Page::new(&req, "office");
    page.insert("row", &row).insert("period", &period.name()).insert("level", &level).insert("trend", &trend).insert("ratings", &ratings);
    page.render(&state.tera, "office/score_subject.html")
}

#[get("/office/scores")]
async fn scores_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ScoresQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    scores_view(&req, &state, &query, None, None).await
}

#[derive(Deserialize)]
struct ScoreSettingsForm {
    #[serde(default)]
    threshold: String,
    #[serde(default)]
    level_points: String,
    #[serde(default)]
    prior_strength: String,
    include_default: Option<String>,
    #[serde(default)]
    min_ratings: String,
    #[serde(default)]
    weight_ratings: String,
    #[serde(default)]
    weight_rectification: String,
    #[serde(default)]
    weight_responsiveness: String,
    #[serde(default)]
    weight_themes: String,
}

#[post("/office/scores/settings")]
async fn save_score_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ScoreSettingsForm>,
) -> Result<HttpResponse, AppError> {
    use crate::score::formula::Threshold;
    user.require(&[Role::Office])?;
    let number = |s: &str| s.trim().parse::<f64>().unwrap_or(-1.0);
    let points: Vec<f64> = form.level_points.split([',', '，']).map(number).collect();
    let value = ScoreSettings {
        threshold: if form.threshold == "satisfied" { Threshold::Satisfied } else { Threshold::Basic },
        level_points: if points.len() == 5 { [points[0], points[1], points[2], points[3], points[4]] } else { [-1.0; 5] },
        prior_strength: number(&form.prior_strength),
        include_default: form.include_default.is_some(),
        // Left out (an older form): the default; not a number: refused by `validate`.
        min_ratings: match form.min_ratings.trim() {
            "" => ScoreSettings::default().min_ratings,
            n => n.parse().unwrap_or(u64::MAX),
        },
        weight_ratings: number(&form.weight_ratings),
        weight_rectification: number(&form.weight_rectification),
        weight_responsiveness: number(&form.weight_responsiveness),
        weight_themes: number(&form.weight_themes),
    };
    if let Err(ServiceError::Invalid(errors)) = value.validate() {
        let query = ScoresQuery { period: None, level: None };
        return scores_view(&req, &state, &query, Some(&errors), Some(&value)).await;
    }
    settings::save(state.ctx(), &user.actor(), &value).await?;
    Ok(see_other("/office/scores"))
}

#[derive(Deserialize)]
struct PublishForm {
    #[serde(default)]
    period: String,
}

#[post("/office/scores/publish")]
async fn publish_scores(
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let period = crate::score::period::Period::parse(&form.period).ok_or_else(|| AppError::BadRequest("统计期格式有误".into()))?;
    crate::score::snapshot::publish(state.ctx(), &user.actor(), &period).await?;
    Ok(see_other(&format!("/office/scores?period={}", period.name())))
}

#[get("/office/scores/export.xlsx")]
async fn export_scores(state: web::Data<AppState>, user: CurrentUser, query: web::Query<ScoresQuery>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let period = period_of(query.period.as_deref(), state.clock.today());
    let shown = crate::score::snapshot::current(&state.db, &period, None).await?;
    let name = period.name();
    let body = crate::web::off_workers(move || crate::score::workbook(&name, shown.version, &shown.scores))
        .await?
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    let name: String = url::form_urlencoded::byte_serialize(format!("满意度考核-{}.xlsx", period.name()).as_bytes()).collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"scores.xlsx\"; filename*=UTF-8''{}", name.replace('+', "%20")),
        ))
        .body(body))
}

/// The first month of the three the reply-quality table covers (`YYYY-MM`).
fn three_months_back(today: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let months = today.year() * 12 + today.month0() as i32 - 2;
    format!("{:04}-{:02}", months.div_euclid(12), months.rem_euclid(12) + 1)
}
