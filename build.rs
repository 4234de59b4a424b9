//! Embeds the cause catalog (`checks/*.md`) in the binary, so `sfjwt explain` needs no files.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=checks");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("checks");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("pub(crate) static FILES: &[(&str, &str)] = &[\n");
    for path in files {
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        out.push_str(&format!("    ({id:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    out.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("catalog_files.rs"), out).unwrap();
}
