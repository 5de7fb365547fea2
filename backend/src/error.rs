//! API errors rendered as RFC 9457 `application/problem+json`: a stable machine `code`, a Portuguese
//! `title`/`detail` for people, and never an internal detail on a 5xx.

use crate::store::StoreError;
use atalaia_core::wire::{FieldError, Problem};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required")]
    Unauthorized,
    #[error("session expired")]
    SessionExpired,
    /// The password was set by someone else: only changing it is allowed (16.3.2.3).
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("invalid credentials")]
    BadCredentials,
    #[error("account locked")]
    Locked,
    #[error("forbidden")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unknown device {0}")]
    UnknownDevice(String),
    /// A request body over the endpoint's limit (in bytes).
    #[error("request too large")]
    TooLarge(usize),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            StoreError::Conflict(msg) => ApiError::Conflict(msg),
            StoreError::Forbidden => ApiError::Forbidden,
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    pub fn problem(&self) -> Problem {
        let (status, code, title, detail): (StatusCode, &str, &str, Option<String>) = match self {
            ApiError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, "unauthorized", "Autenticação necessária", Some("Faça login para continuar.".into()))
            }
            ApiError::SessionExpired => {
                (StatusCode::UNAUTHORIZED, "session_expired", "Sessão expirada", Some("Sua sessão expirou; faça login novamente.".into()))
            }
            ApiError::PasswordChangeRequired => (
                StatusCode::FORBIDDEN,
                "password_change_required",
                "Troque a senha",
                Some(
                    "Esta senha foi definida por outra pessoa: troque-a (POST /auth/password) antes de continuar."
                        .into(),
                ),
            ),
            ApiError::BadCredentials => {
                (StatusCode::UNAUTHORIZED, "bad_credentials", "Usuário ou senha incorretos", None)
            }
            ApiError::Locked => (
                StatusCode::TOO_MANY_REQUESTS,
                "account_locked",
                "Login bloqueado temporariamente",
                Some("Muitas tentativas de login sem sucesso a partir deste endereço. Aguarde alguns minutos ou peça o desbloqueio ao administrador.".into()),
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Acesso negado",
                Some("Seu perfil não tem permissão para esta operação.".into()),
            ),
            ApiError::NotFound(what) => {
                (StatusCode::NOT_FOUND, "not_found", "Registro não encontrado", Some(format!("{what} não encontrado(a).")))
            }
            ApiError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Dados inválidos",
                Some("Corrija os campos indicados.".into()),
            ),
            ApiError::Conflict(msg) => (StatusCode::CONFLICT, "conflict", "Conflito", Some(msg.clone())),
            ApiError::BadRequest(msg) => (StatusCode::BAD_REQUEST, "bad_request", "Requisição inválida", Some(msg.clone())),
            ApiError::UnknownDevice(id) => (
                StatusCode::BAD_REQUEST,
                "unknown_device",
                "Dispositivo desconhecido",
                Some(format!(
                    "O dispositivo '{}' não está cadastrado ou não está ativo.",
                    crate::store::clip(id, 64)
                )),
            ),
            ApiError::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "Requisição grande demais",
                Some(format!("O corpo da requisição passa do limite de {} KiB.", limit / 1024)),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Erro interno",
                Some("Erro interno do servidor. A equipe técnica foi notificada pelo registro de eventos.".into()),
            ),
        };
        Problem {
            type_uri: format!("https://atalaia.invalid/problems/{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(msg) = &self {
            tracing::error!(error = %msg, "internal error");
        }
        problem_response(&self.problem())
    }
}

pub fn problem_response(p: &Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(p).unwrap_or_default();
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    resp
}

/// Every error the API answers is problem+json (issue 24 item 5): what the framework refuses
/// before a handler runs — a method the route does not take (405), a body over a route's limit
/// (413), a content type it does not read (415) — comes as axum's plain text in English and is
/// told again here, by its status, in Portuguese. Problems and successes pass untouched.
pub async fn problems_only(resp: Response) -> Response {
    let status = resp.status();
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return resp;
    }
    let (code, title, detail) = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "Método não permitido", "Este endereço não aceita este método.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("too_large", "Requisição grande demais", "O corpo da requisição passa do limite deste endereço.")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Tipo de conteúdo não aceito",
            "Envie o corpo com o Content-Type que este endereço aceita (application/json, salvo indicação).",
        ),
        StatusCode::NOT_FOUND => ("not_found", "Não encontrado", "Recurso não encontrado."),
        s if s.is_server_error() => (
            "internal",
            "Erro interno",
            "Erro interno do servidor. A equipe técnica foi notificada pelo registro de eventos.",
        ),
        _ => ("bad_request", "Requisição inválida", "A requisição não pôde ser lida."),
    };
    tracing::debug!(%status, "a framework rejection told as a problem");
    let p = Problem {
        type_uri: format!("https://atalaia.invalid/problems/{code}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: Some(detail.to_owned()),
        code: code.to_owned(),
        errors: Vec::new(),
    };
    let mut out = problem_response(&p);
    // What the framework said still matters to a client that retries (e.g. `Allow` on a 405).
    for (name, value) in resp.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// Turn a body that axum could not parse into a problem instead of axum's plain-text rejection.
pub fn json_rejection(rej: axum::extract::rejection::JsonRejection) -> ApiError {
    match rej.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(crate::api::JSON_BODY_LIMIT),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::BadRequest("Envie o corpo como JSON (Content-Type: application/json).".into())
        }
        _ => ApiError::BadRequest(format!("JSON inválido: {}", rej.body_text())),
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
