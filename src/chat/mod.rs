//! 网络问政 chatbot: answers from the portal's own records, with their links, and files opinions
//! in conversation. Embedded: no model to download, nothing sent out.

pub mod faq;
pub mod intents;
pub mod understand;
