//! The authorize pages, for a person with a browser.

use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// The page that asks the signed-in user to approve or deny `consumer_name`.
pub(crate) fn authorize(consumer_name: &str, username: &str, token: &str, csrf: &str) -> String {
    let app = escape(consumer_name);
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Authorize {app}</h1>\n\
         <p>{app} would like to access your account <strong>{user}</strong>.</p>\n\
         <form method=\"post\" action=\"/oauth/authorize\">\n\
         <input type=\"hidden\" name=\"oauth_token\" value=\"{token}\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form>\n",
        user = escape(username),
        token = escape(token),
        csrf = escape(csrf),
    );
    page(&format!("Authorize {consumer_name}"), &body)
}

/// The out-of-band page: the verifier to paste into the application.
pub(crate) fn verifier(consumer_name: &str, verifier: &str) -> String {
    let body = format!(
        "<h1>Access granted</h1>\n<p>Enter this code in {}:</p>\n<p><code id=\"verifier\">{}</code></p>\n",
        escape(consumer_name),
        escape(verifier)
    );
    page("Access granted", &body)
}

/// The out-of-band page after a denial.
pub(crate) fn denied(consumer_name: &str) -> String {
    let body = format!(
        "<h1>Access denied</h1>\n<p>{} was not given access to your account.</p>\n",
        escape(consumer_name)
    );
    page("Access denied", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped() {
        let html = authorize("<script>\"x\"&'y'", "u<", "t", "c");
        assert!(
            html.contains("&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;"),
            "{html}"
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains("u&lt;"));
    }
}
