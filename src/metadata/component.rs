//! One metadata file: which type it is (by root element, or by file name when
//! walking directories) and the settings it holds.

use std::path::Path;

use super::{AppSettings, MAX_FILE_BYTES, MetadataError, connected_app, eca, read, xml};

/// The metadata types that describe an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum ComponentType {
    ConnectedApp,
    EcaHeader,
    EcaGlobalOauth,
    EcaOauthSettings,
    EcaOauthPolicies,
    EcaPolicies,
}

impl ComponentType {
    pub(crate) const ECA_PARTS: [ComponentType; 5] = [
        ComponentType::EcaHeader,
        ComponentType::EcaGlobalOauth,
        ComponentType::EcaOauthSettings,
        ComponentType::EcaOauthPolicies,
        ComponentType::EcaPolicies,
    ];

    fn from_root_element(name: &str) -> Option<Self> {
        match name {
            "ConnectedApp" => Some(ComponentType::ConnectedApp),
            "ExternalClientApplication" => Some(ComponentType::EcaHeader),
            "ExtlClntAppGlobalOauthSettings" => Some(ComponentType::EcaGlobalOauth),
            "ExtlClntAppOauthSettings" => Some(ComponentType::EcaOauthSettings),
            "ExtlClntAppOauthConfigurablePolicies" => Some(ComponentType::EcaOauthPolicies),
            "ExtlClntAppConfigurablePolicies" => Some(ComponentType::EcaPolicies),
            _ => None,
        }
    }

    /// Recognises `Name.<suffix>-meta.xml` (source format) and `Name.<suffix>`
    /// (metadata format, as in a retrieved zip), ignoring case because older
    /// docs spell the connected app suffix `.connectedapp`.
    pub(crate) fn from_file_name(file_name: &str) -> Option<Self> {
        let lower = file_name.to_ascii_lowercase();
        let without_meta = lower.strip_suffix("-meta.xml").unwrap_or(&lower);
        let (_, suffix) = without_meta.rsplit_once('.')?;
        match suffix {
            "connectedapp" => Some(ComponentType::ConnectedApp),
            "eca" => Some(ComponentType::EcaHeader),
            // The docs say `.ecaGlblOauth`; some public samples write
            // `.ecaGlobalOauth`, so both are accepted.
            "ecaglbloauth" | "ecaglobaloauth" => Some(ComponentType::EcaGlobalOauth),
            "ecaoauth" => Some(ComponentType::EcaOauthSettings),
            "ecaoauthplcy" => Some(ComponentType::EcaOauthPolicies),
            "ecaplcy" => Some(ComponentType::EcaPolicies),
            _ => None,
        }
    }

    /// Where this part lives in a source-format project, for messages.
    pub(crate) fn source_location(self) -> &'static str {
        match self {
            ComponentType::ConnectedApp => "connectedApps/*.connectedApp-meta.xml",
            ComponentType::EcaHeader => "externalClientApps/*.eca-meta.xml",
            ComponentType::EcaGlobalOauth => "extlClntAppGlobalOauthSets/*.ecaGlblOauth-meta.xml",
            ComponentType::EcaOauthSettings => "extlClntAppOauthSettings/*.ecaOauth-meta.xml",
            ComponentType::EcaOauthPolicies => "extlClntAppOauthPolicies/*.ecaOauthPlcy-meta.xml",
            ComponentType::EcaPolicies => "extlClntAppPolicies/*.ecaPlcy-meta.xml",
        }
    }
}

/// A parsed file: its type and the (possibly partial) app settings in it.
#[derive(Debug)]
pub(crate) struct Component {
    pub(crate) component_type: ComponentType,
    pub(crate) settings: AppSettings,
}

pub(crate) fn parse_component(path: &Path) -> Result<Component, MetadataError> {
    let bytes = read::read_bounded(path, MAX_FILE_BYTES)?;
    parse_component_bytes(path, &bytes)
}

/// Parses a file's bytes already in memory; `path` only names them (the API name when the XML has
/// no `fullName`, the file in problems and errors, and `sources`).
pub(crate) fn parse_component_bytes(path: &Path, bytes: &[u8]) -> Result<Component, MetadataError> {
    // The same bound `read_bounded` applies to files, for bytes that did not come from one.
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(MetadataError::TooLarge { path: path.to_path_buf(), bytes: bytes.len() as u64 });
    }
    let text = read::decode_text(path, bytes)?;
    let document = xml::parse_untrusted(&text)
        .map_err(|error| MetadataError::NotXml { path: path.to_path_buf(), message: error.describe() })?;
    let root = document.root_element();
    let root_name = root.tag_name().name();
    let component_type = ComponentType::from_root_element(root_name)
        .ok_or_else(|| MetadataError::WrongRoot { path: path.to_path_buf(), found: root_name.to_string() })?;

    let name_from_file = api_name_from_file(path);
    let mut settings = match component_type {
        ComponentType::ConnectedApp => connected_app::parse(root, &name_from_file),
        ComponentType::EcaHeader => eca::parse_header(root, &name_from_file),
        ComponentType::EcaGlobalOauth => eca::parse_global_oauth(root, &name_from_file),
        ComponentType::EcaOauthSettings => eca::parse_oauth_settings(root, &name_from_file),
        ComponentType::EcaOauthPolicies => eca::parse_oauth_policies(root, &name_from_file),
        ComponentType::EcaPolicies => eca::parse_plugin_policies(root, &name_from_file),
    };
    // Merged apps come from several files, so each problem names its own.
    let file_name = display_file_name(path);
    for problem in &mut settings.problems {
        *problem = format!("{file_name}: {problem}");
    }
    settings.sources.push(path.to_path_buf());
    settings.files.push(super::SourceFile {
        path: path.to_path_buf(),
        part: component_type,
        sha256: crate::secret::sha256_hex(bytes),
    });
    Ok(Component { component_type, settings })
}

/// API names cannot contain dots, so the name is everything before the first.
fn api_name_from_file(path: &Path) -> String {
    let file_name = display_file_name(path);
    file_name.split('.').next().unwrap_or_default().to_string()
}

fn display_file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::ComponentType;

    #[test]
    fn file_names_are_recognised_in_both_formats() {
        let cases = [
            ("A.connectedApp-meta.xml", Some(ComponentType::ConnectedApp)),
            ("A.connectedapp", Some(ComponentType::ConnectedApp)),
            ("A.eca-meta.xml", Some(ComponentType::EcaHeader)),
            ("A_glbl.ecaGlblOauth-meta.xml", Some(ComponentType::EcaGlobalOauth)),
            ("A.ecaGlobalOauth-meta.xml", Some(ComponentType::EcaGlobalOauth)),
            ("A.ecaOauth-meta.xml", Some(ComponentType::EcaOauthSettings)),
            ("A.ecaOauthPlcy-meta.xml", Some(ComponentType::EcaOauthPolicies)),
            ("A.ecaPlcy", Some(ComponentType::EcaPolicies)),
            ("A.cls-meta.xml", None),
            ("sfdx-project.json", None),
            ("connectedApp", None),
        ];
        for (name, expected) in cases {
            assert_eq!(ComponentType::from_file_name(name), expected, "{name}");
        }
    }
}
