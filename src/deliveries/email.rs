//! Email through SMTP (lettre): plain text in UTF-8 (base64, which every server carries), the
//! unsubscribe link in the body and in
//! `List-Unsubscribe`, a `Message-ID` that names the delivery.

use lettre::message::{Body, Mailbox, SinglePart, header};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("LIANXIN_SMTP_URL 无法使用：{e}"))?
            .timeout(Some(std::time::Duration::from_secs(15)))
            .build();
        let from = from.parse().map_err(|e| format!("LIANXIN_MAIL_FROM 无法使用：{e}"))?;
        Ok(Self { transport, from })
    }

    pub async fn send(&self, delivery: i32, to: &str, subject: &str, text: &str, unsubscribe: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("收件地址无效：{e}"))?;
        let body = format!("{text}\n\n凭查询码可在连心桥“查询进度”查看办理详情。\n不想再收到此类消息：{unsubscribe}\n");
        let domain = self.from.email.domain().to_string();
        let body = Body::new_with_encoding(body, header::ContentTransferEncoding::Base64).map_err(|_| "邮件正文无法编码".to_string())?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<delivery-{delivery}@{domain}>")))
            .header(ListUnsubscribe(format!("<{unsubscribe}>")))
            .singlepart(SinglePart::builder().header(header::ContentType::TEXT_PLAIN).body(body))
            .map_err(|e| format!("邮件无法生成：{e}"))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| format!("邮件发送失败：{e}"))
    }
}

/// `List-Unsubscribe`, so mail clients offer the link too.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl header::Header for ListUnsubscribe {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_string()))
    }

    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), self.0.clone())
    }
}
