//! The floor: the least a Tauri 2 app does — one window, one static page, nothing else.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("the floor app failed to start");
}
