//! SMS through a city's HTTP gateway: each message is POSTed as JSON
//! `{"id": "delivery-N", "phone": "…", "text": "…"}`; any 2xx answer means the gateway took it.
//! A city maps this shape to its provider's API in the gateway.

pub struct Gateway {
    url: String,
    client: reqwest::Client,
}

impl Gateway {
    pub fn new(url: &str) -> Result<Self, String> {
        let client =
            reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().map_err(|e| format!("短信网关无法使用：{e}"))?;
        Ok(Self { url: url.to_string(), client })
    }

    pub async fn send(&self, delivery: i32, phone: &str, text: &str, unsubscribe: &str) -> Result<(), String> {
        let body = serde_json::json!({ "id": format!("delivery-{delivery}"), "phone": phone, "text": format!("【连心桥】{text} 退订：{unsubscribe}") });
        let answer = self.client.post(&self.url).json(&body).send().await.map_err(|e| format!("短信网关不可达：{e}"))?;
        if answer.status().is_success() { Ok(()) } else { Err(format!("短信网关答复 {}", answer.status())) }
    }
}
