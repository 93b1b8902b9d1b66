pub const TEXT: &str = "hello from cargo";
