//! The login host and username readers (`--instance-url`, `--username`, `SF_AUDIENCE_URL`) and the
//! sf CLI attempt order built from them. Input: URL line, username line, audience line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sfjwt::{evidence, sf_cli};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(3, '\n');
    let (url, username, audience) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""), lines.next());
    let host = evidence::host_evidence(url);
    let _ = host.kind.describe();
    let shape = evidence::host::username_shape(username);
    let _ = evidence::recommended_audience(&host, Some(&shape));
    let _ = sf_cli::attempt_order(Some(url), audience);
    let _ = sf_cli::origin(url);
});
