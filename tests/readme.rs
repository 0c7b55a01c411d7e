//! README.md stays true to the code.

use corpus_review::keymap::Keymap;

const START: &str =
    "<!-- keys:start (generated from keymaps/default.json; tests/readme.rs checks it) -->\n";
const END: &str = "<!-- keys:end -->";

#[test]
fn readme_key_table_matches_the_default_keymap() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme.find(START).expect("key table start marker") + START.len();
    let end = readme.find(END).expect("key table end marker");
    let expected = corpus_review::ui::help::markdown(&Keymap::default_keymap());
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"), updated)
            .expect("write README.md");
        return;
    }
    assert!(
        readme[start..end] == expected,
        "README.md's key table is out of date: run `UPDATE_README=1 cargo test --test readme`; expected:\n{expected}"
    );
}

#[test]
fn readme_names_the_two_setup_commands() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    assert!(readme.contains("cargo run --release"));
    assert!(readme.contains("cargo test"));
}

/// Every command of the program is shown in the README as `corpus-review NAME`.
#[test]
fn readme_shows_every_command() {
    use clap::CommandFactory;
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let missing: Vec<String> = corpus_review::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|name| !readme.contains(&format!("corpus-review {name}")))
        .collect();
    assert!(missing.is_empty(), "README.md does not show: {missing:?}");
}
