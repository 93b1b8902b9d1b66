-- toolchain.lua: the Rust toolchain and the code generator (options and detection live in
-- lib/redox.lua, which every Redox plugin imports). Checked here, at configure time, so that a
-- missing toolchain or backend is one clear error with its fix, before anything is built.
local R = import "lib/redox.lua"

local any_cranelift = opt "codegen" == "cranelift" or (opt "codegen-override"):find("=cranelift") ~= nil
if any_cranelift then R.cranelift() end
