//! `ipc_commands!`: turns the one list of commands in `ipc.rs` into the Tauri handler, a
//! compile-time check that each entry matches its function in `commands.rs`, and (in tests)
//! the TypeScript module the UI calls them through.
//!
//! An entry reads like the function's signature: `async fn name[injected](arg: Type) -> Answer;`.
//! `[injected]` names what Tauri supplies rather than the window (`app`, `state`), in order;
//! `Answer` is the `Ok` side of the command's `Result<_, ErrorPayload>`.

/// The type Tauri injects for a parameter named in an entry's brackets.
macro_rules! injected {
    (app) => { tauri::AppHandle };
    (state) => { tauri::State<'_, crate::AppState> };
}

/// One entry's function, called with the declared parameters, must give the declared answer.
macro_rules! check_signature {
    (awaited $name:ident [$($inj:ident)*] [$($arg:ident: $ty:ty),*] $ret:ty) => {
        const _: () = {
            #[allow(dead_code)]
            async fn signature($($inj: injected!($inj),)* $($arg: $ty),*) -> Result<$ret, hangar_core::ErrorPayload> {
                crate::commands::$name($($inj,)* $($arg),*).await
            }
        };
    };
    (immediate $name:ident [$($inj:ident)*] [$($arg:ident: $ty:ty),*] $ret:ty) => {
        const _: () = {
            #[allow(dead_code)]
            fn signature($($inj: injected!($inj),)* $($arg: $ty),*) -> Result<$ret, hangar_core::ErrorPayload> {
                crate::commands::$name($($inj,)* $($arg),*)
            }
        };
    };
}

macro_rules! ipc_commands {
    // Each entry is first brought to one shape: {mode name [docs] [injected] [args] answer}.
    (@munch [$($done:tt)*]
        $(#[doc = $doc:literal])*
        async fn $name:ident [$($inj:ident),*] ($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;
        $($rest:tt)*
    ) => {
        ipc_commands!(@munch [$($done)* {awaited $name [$($doc)*] [$($inj)*] [$($arg: $ty),*] $ret}] $($rest)*);
    };
    (@munch [$($done:tt)*]
        $(#[doc = $doc:literal])*
        fn $name:ident [$($inj:ident),*] ($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;
        $($rest:tt)*
    ) => {
        ipc_commands!(@munch [$($done)* {immediate $name [$($doc)*] [$($inj)*] [$($arg: $ty),*] $ret}] $($rest)*);
    };
    (@munch [$($done:tt)*] internal: [$($extra:path),* $(,)?];) => {
        ipc_commands!(@emit [$($extra),*] $($done)*);
    };
    (@emit [$($extra:path),*]
        $({$mode:ident $name:ident [$($doc:literal)*] [$($inj:ident)*] [$($arg:ident: $ty:ty),*] $ret:ty})*
    ) => {
        /// Every command the window may call, for `invoke_handler`.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(crate::commands::$name,)* $($extra),*]
        }

        $(check_signature!($mode $name [$($inj)*] [$($arg: $ty),*] $ret);)*

        /// The commands as the UI sees them (`internal` ones are not part of it).
        #[cfg(test)]
        pub fn contract() -> typescript::Contract {
            let mut contract = typescript::Contract::default();
            $(
                $(contract.imports.add::<$ty>();)*
                contract.imports.add::<$ret>();
                contract.commands.push(typescript::Command {
                    name: stringify!($name),
                    docs: vec![$($doc),*],
                    args: vec![$((stringify!($arg), hangar_core::bindings::ts_name::<$ty>())),*],
                    answer: hangar_core::bindings::ts_name::<$ret>(),
                });
            )*
            contract
        }
    };
    ($($entries:tt)*) => {
        ipc_commands!(@munch [] $($entries)*);
    };
}
