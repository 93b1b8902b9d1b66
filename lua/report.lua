-- lua/report.lua: kiln report, a self-contained SVG picture of what this build directory built,
-- and the short text summary `ninja image` ends with (kiln report --summary).
--
-- Both read gen/images.lua (rules/summary.lua: the images kiln gen declared), the manifests
-- (what each filesystem image holds) and the images themselves through kiln's own readers
-- (K.core.gpt_read, fat_files, redoxfs_usage: core/gen/inspect.c). Disks are drawn to scale
-- from the partition entries read back from their GPT, not from the declarations.
local K, Q = ...
local sfmt = string.format
local human = Q.human

local R = {}

---------------------------------------------------------------------------------------------
-- what was built

local function load_description()
	local path = "gen/images.lua"
	local text = K.core.readfile(path)
	if not text then
		error(sfmt("%s is missing: this build directory's build.ninja is older than kiln report; run ninja (or kiln gen) first", path), 0)
	end
	local fn, err = load(text, "@" .. path, "t", {})
	if not fn then error(err, 0) end
	return fn()
end

-- manifest field escapes (docs/manifest.md): \\ \s \t \n \r \xHH
local function unescape(s)
	local res, i = {}, 1
	while i <= #s do
		local c = s:sub(i, i)
		if c == "\\" then
			local e = s:sub(i + 1, i + 1)
			if e == "x" then
				res[#res + 1] = string.char(tonumber(s:sub(i + 2, i + 3), 16) or 63)
				i = i + 4
			else
				res[#res + 1] = ({ s = " ", t = "\t", n = "\n", r = "\r" })[e] or e
				i = i + 2
			end
		else
			res[#res + 1] = c
			i = i + 1
		end
	end
	return table.concat(res)
end

-- the files of a manifest with their sizes: { { path, size }... } largest first, and the
-- number of entries of each type; a source that is missing has size 0 and missing = true
local function manifest_files(path)
	local text = K.core.readfile(path)
	if not text then error(sfmt("%s is missing: run ninja image first", path), 0) end
	local files, counts = {}, { file = 0, dir = 0, symlink = 0, hardlink = 0 }
	for line in text:gmatch("[^\n]+") do
		local f = {}
		for w in line:gmatch("%S+") do f[#f + 1] = w end
		local ty = f[1]
		if counts[ty] then counts[ty] = counts[ty] + 1 end
		if ty == "file" and f[6] then
			local p, content = unescape(f[2]), f[6]
			local size, missing
			if content:sub(1, 4) == "src:" then
				size = K.core.file_size(unescape(content:sub(5)))
				missing = size == nil
			else
				size = #unescape(content:sub(6))
			end
			files[#files + 1] = { path = p, size = size or 0, missing = missing }
		end
	end
	table.sort(files, function(a, b)
		if a.size ~= b.size then return a.size > b.size end
		return a.path < b.path
	end)
	return files, counts
end

local function sum(files)
	local n = 0
	for _, f in ipairs(files) do n = n + f.size end
	return n
end

-- well-known partition type GUIDs
local part_types = {
	["21686148-6449-6E6F-744E-656564454649"] = "BIOS boot",
	["C12A7328-F81F-11D2-BA4B-00A0C93EC93B"] = "EFI system",
	["0FC63DAF-8483-4772-8E79-3D69D8477DE4"] = "Linux/RedoxFS data",
}

-- everything the summary and the picture show, read from the build directory
local function gather(mode)
	local desc = load_description()
	if #desc.images == 0 then error("this build declares no image: there is nothing to draw or sum up", 0) end
	local by_name = {}
	for _, i in ipairs(desc.images) do by_name[i.name] = i end
	for _, i in ipairs(desc.images) do
		i.built = K.core.file_size(i.output)
		if not i.built then
			error(sfmt("%s is not built yet: run ninja image first (then kiln report)", i.output), 0)
		end
		if i.manifest then
			i.files, i.counts = manifest_files(i.manifest)
			i.content = sum(i.files)
		end
		if i.bootstrap then i.bootstrap_size = K.core.file_size(i.bootstrap) end
		if i.format == "gpt" then
			local g, err = K.core.gpt_read(i.output)
			if not g then error(err, 0) end
			i.gpt = g
			-- the declared partitions name the images they hold; the GPT says where they are
			for n, e in ipairs(g.partitions) do
				local decl
				for _, p in ipairs(i.partitions) do if p.name == e.name then decl = p end end
				e.decl = decl or i.partitions[n]
				e.image = e.decl and e.decl.image and by_name[e.decl.image]
				e.offset = e.first * g.sector_size
				e.bytes = (e.last - e.first + 1) * g.sector_size
				e.type_name = part_types[e.type] or e.type
			end
		elseif i.format == "redoxfs" and mode ~= "summary" then
			-- the checker reads every block: for the picture, not for the summary of each build
			i.usage = K.core.redoxfs_usage(i.output)
		elseif i.format == "fat" then
			i.fat = K.core.fat_files(i.output)
		end
	end
	return desc
end

local function percent(a, b) return b > 0 and 100 * a / b or 0 end
local function count(n, what) return sfmt("%d %s%s", n, what, n == 1 and "" or "s") end

---------------------------------------------------------------------------------------------
-- the text summary

local function summary_text(desc)
	local lines = { "images in out/images:" }
	local w = 0
	for _, i in ipairs(desc.images) do w = math.max(w, #i.name) end
	local function row(i, what)
		lines[#lines + 1] = sfmt("  %-" .. w .. "s  %-7s %10s  %s", i.name, i.format, human(i.built), what)
	end
	for _, i in ipairs(desc.images) do
		if i.format == "gpt" then
			local parts = {}
			for _, e in ipairs(i.gpt.partitions) do
				parts[#parts + 1] = sfmt("%s %s%s", e.name, human(e.bytes), e.image and (" (" .. e.image.name .. ")") or "")
			end
			row(i, count(#parts, "partition") .. ": " .. table.concat(parts, ", "))
		elseif i.format == "initfs" and i.max_size then
			row(i, sfmt("%.1f%% of its %s budget (%s), %s left; %s", percent(i.built, i.max_size),
				human(i.max_size), i.budget_option and ("--" .. i.budget_option) or "max_size",
				human(math.max(0, i.max_size - i.built)), count(#i.files, "file")))
		elseif i.format == "redoxfs" then
			row(i, sfmt("%s, %s in files (%.1f%%)", count(#i.files, "file"), human(i.content), percent(i.content, i.built)))
		else
			row(i, sfmt("%s, %s in files", count(#(i.files or {}), "file"), human(i.content or 0)))
		end
	end
	for _, i in ipairs(desc.images) do
		if (i.format == "initfs" or i.format == "redoxfs") and #i.files > 0 then
			local top = {}
			for n = 1, math.min(5, #i.files) do
				top[#top + 1] = sfmt("%s %s", i.files[n].path, human(i.files[n].size))
			end
			lines[#lines + 1] = sfmt("  largest in %s: %s", i.name, table.concat(top, ", "))
		end
	end
	return table.concat(lines, "\n") .. "\n"
end

---------------------------------------------------------------------------------------------
-- the picture

-- XML text: escaped, and bytes that are not UTF-8 or not allowed in XML shown as \xHH
local function x(s)
	s = tostring(s)
	local res, i = {}, 1
	while i <= #s do
		local b = s:byte(i)
		local n = b < 0x80 and 1 or b >= 0xC2 and b <= 0xDF and 2 or b >= 0xE0 and b <= 0xEF and 3 or
			b >= 0xF0 and b <= 0xF4 and 4 or 0
		local ch = n > 0 and s:sub(i, i + n - 1) or ""
		if n == 1 and (b >= 0x20 and b ~= 0x7F) then
			res[#res + 1] = ({ ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&apos;" })[ch] or ch
			i = i + 1
		elseif n > 1 and #ch == n and utf8.len(ch) == 1 then
			res[#res + 1] = ch
			i = i + n
		else
			res[#res + 1] = sfmt("\\x%02X", b)
			i = i + 1
		end
	end
	return table.concat(res)
end

local W = 960            -- picture width
local M = 24             -- margin
local BAR = W - 2 * M    -- width of a full bar
local CH = 7.3           -- width of one character of the 12px monospace font

local palette = { "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
	"#ff9da7", "#9c755f", "#86bcb6", "#d37295", "#a0cbe8" }
local function num(v) return sfmt("%.3f", v) end

-- an SVG being written: elements are appended to parts, y is where the next one goes
local function canvas()
	local c = { parts = {}, y = M }
	function c.add(fmt, ...) c.parts[#c.parts + 1] = sfmt(fmt, ...) end
	function c.text(px, py, s, cls, anchor)
		c.add('<text x="%s" y="%s" class="%s"%s>%s</text>', num(px), num(py), cls or "t",
			anchor and sfmt(' text-anchor="%s"', anchor) or "", x(s))
	end
	function c.rect(px, py, w, h, fill, cls, title, attrs)
		c.add('<rect x="%s" y="%s" width="%s" height="%s" fill="%s" class="%s"%s>%s</rect>', num(px), num(py),
			num(w), num(h), fill, cls, attrs or "", title and ("<title>" .. x(title) .. "</title>") or "")
	end
	function c.heading(s, sub)
		c.y = c.y + 22
		c.text(M, c.y, s, "h")
		if sub then
			c.y = c.y + 16
			c.text(M, c.y, sub, "s")
		end
		c.y = c.y + 10
	end
	return c
end

-- a labelled bar: used of total, filled from the left, its label above it
local function usage_bar(c, used, total, label, color)
	local w = total > 0 and BAR * math.min(used, total) / total or 0
	c.y = c.y + 4
	c.text(M, c.y, sfmt("%s: %s of %s (%.1f%%), %s free", label, human(used), human(total), percent(used, total),
		human(math.max(0, total - used))), "t")
	c.y = c.y + 5
	c.rect(M, c.y, BAR, 14, "#eeeeee", "capacity", sfmt("%s: %s", label, human(total)),
		sfmt(' data-bytes="%d"', total))
	c.rect(M, c.y, w, 14, color, "used", sfmt("used: %s", human(used)), sfmt(' data-bytes="%d"', used))
	c.y = c.y + 24
end

-- what fills an image: a stacked bar of its largest parts (to scale of whole), then a table
local function composition(c, parts, whole, what)
	local shown, rest, nrest = {}, 0, 0
	for n, p in ipairs(parts) do
		if n <= 12 and p.size > 0 then shown[#shown + 1] = p else rest, nrest = rest + p.size, nrest + 1 end
	end
	if nrest > 0 then shown[#shown + 1] = { path = sfmt("%d other entries", nrest), size = rest, other = true } end
	local px = M
	for n, p in ipairs(shown) do
		local w = whole > 0 and BAR * p.size / whole or 0
		c.rect(px, c.y, w, 22, p.other and "#bbbbbb" or palette[(n - 1) % #palette + 1], "part",
			sfmt("%s: %s (%.1f%% of %s)", p.path, human(p.size), percent(p.size, whole), what),
			sfmt(' data-path="%s" data-bytes="%d"', x(p.path), p.size))
		if w > (#p.path + 1) * CH then c.text(px + 4, c.y + 15, p.path, "in") end
		px = px + w
	end
	c.y = c.y + 36
	local biggest = 0
	for _, p in ipairs(shown) do biggest = math.max(biggest, p.size) end
	for n, p in ipairs(shown) do
		local bw = biggest > 0 and 240 * p.size / biggest or 0
		c.rect(M, c.y - 9, 10, 10, p.other and "#bbbbbb" or palette[(n - 1) % #palette + 1], "key")
		c.text(M + 16, c.y, p.path, "t")
		c.text(M + 560, c.y, human(p.size), "t", "end")
		c.text(M + 620, c.y, sfmt("%.1f%%", percent(p.size, whole)), "t", "end")
		c.rect(M + 636, c.y - 9, bw, 10, "#cccccc", "sizebar")
		c.y = c.y + 16
	end
	c.y = c.y + 4
end

-- the files of a FAT volume (the ESP), from kiln's FAT reader
local function fat_panel(c, fat, bytes, label)
	if not fat then return end
	local files = {}
	for _, f in ipairs(fat.files) do if not f.dir then files[#files + 1] = { path = f.path, size = f.size } end end
	table.sort(files, function(a, b) if a.size ~= b.size then return a.size > b.size end return a.path < b.path end)
	local capacity = fat.clusters * fat.cluster_size
	usage_bar(c, sum(files), capacity, sfmt("%s: FAT%d, bytes in files", label, fat.fat), "#59a14f")
	composition(c, files, sum(files), label .. "'s files")
end

-- the disk to scale: x = offset / disk bytes * BAR, from the entries of its GPT
local function disk_panel(c, i)
	local g = i.gpt
	local total = g.sectors * g.sector_size
	c.heading(sfmt("%s: %s GPT disk, %s", i.name, human(total), count(#g.partitions, "partition")),
		sfmt("%s, read back with kiln's GPT reader%s; each rectangle is a partition entry, to scale",
			i.output, g.problems ~= "" and ": VERIFY FAILED: " .. g.problems:gsub("\n", "; ") or ""))
	local y0 = c.y
	local scale = BAR / g.sectors
	c.add('<g class="disk" data-name="%s" data-sectors="%d" data-sector-size="%d" data-x="%s" data-width="%s">',
		x(i.name), g.sectors, g.sector_size, num(M), num(BAR))
	c.rect(M, y0, BAR, 44, "#f4f4f4", "disk", sfmt("%s: %d sectors (%s)", i.name, g.sectors, human(total)),
		' stroke="#555555" stroke-width="1"')
	c.rect(M, y0, g.first_usable * scale, 44, "#999999", "gpt-meta",
		sfmt("protective MBR and primary GPT: LBA 0-%d", g.first_usable - 1))
	c.rect(M + (g.last_usable + 1) * scale, y0, (g.sectors - g.last_usable - 1) * scale, 44, "#999999", "gpt-meta",
		sfmt("backup GPT: LBA %d-%d", g.last_usable + 1, g.sectors - 1))
	local below = {}
	for n, e in ipairs(g.partitions) do
		local px, w = M + e.first * scale, (e.last - e.first + 1) * scale
		local label = sfmt("%s %s", e.name, human(e.bytes))
		c.rect(px, y0, w, 44, palette[(n - 1) % #palette + 1], "partition",
			sfmt("partition %d %s: %s, LBA %d-%d (%s)%s", e.index, e.name, e.type_name, e.first, e.last,
				human(e.bytes), e.image and (", holds " .. e.image.name) or ""),
			sfmt(' data-index="%d" data-name="%s" data-first-lba="%d" data-last-lba="%d" data-type="%s"',
				e.index, x(e.name), e.first, e.last, e.type))
		if w > (#label + 1) * CH then
			c.text(px + 4, y0 + 18, label, "in")
			if e.image and w > (#e.image.name + 12) * CH then
				c.text(px + 4, y0 + 34, sfmt("%s (%s)", e.image.name, e.type_name), "in")
			end
		else
			below[#below + 1] = { px = px + w / 2, label = label }
		end
	end
	c.add("</g>")
	c.y = y0 + 44
	-- labels of the partitions too narrow to hold them, each on its own line with a leader
	for n, b in ipairs(below) do
		local ly = c.y + 14 * n
		c.add('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#555555" stroke-width="0.8"/>', num(b.px), num(c.y),
			num(b.px), num(ly - 4))
		c.text(b.px + 3, ly, b.label, "s")
	end
	c.y = c.y + 14 * #below + 20
	c.text(M, c.y - 6, "0", "s")
	c.text(M + BAR, c.y - 6, human(total), "s", "end")
	c.y = c.y + 6
	-- what each partition holds
	for _, e in ipairs(g.partitions) do
		local img = e.image
		local label = sfmt("partition %s (%s, %s)", e.name, e.type_name, human(e.bytes))
		if img and img.format == "fat" then
			c.y = c.y + 12
			c.text(M, c.y, label .. ": " .. img.name, "b")
			c.y = c.y + 10
			fat_panel(c, K.core.fat_files(i.output, e.offset, e.bytes), e.bytes, e.name)
		elseif img and img.format == "redoxfs" then
			c.y = c.y + 12
			c.text(M, c.y, label .. ": " .. img.name, "b")
			c.y = c.y + 10
			local u = K.core.redoxfs_usage(i.output, e.offset)
			if u then usage_bar(c, u.used * u.block_size, e.bytes, e.name .. ": RedoxFS blocks in use", "#4e79a7") end
		else
			c.y = c.y + 12
			c.text(M, c.y, label .. (img and (": " .. img.name) or ": no image"), "b")
			c.y = c.y + 8
		end
	end
end

local function initfs_panel(c, i)
	c.heading(sfmt("%s: initfs of %s", i.name, human(i.built)),
		sfmt("%s: what the kernel loads at boot: the bootstrap, drivers and init", i.output))
	if i.max_size then
		usage_bar(c, i.built, i.max_size, sfmt("budget (%s)", i.budget_option and ("--" .. i.budget_option) or "max_size"),
			i.built > 0.9 * i.max_size and "#e15759" or "#59a14f")
	end
	local parts = {}
	for _, f in ipairs(i.files) do parts[#parts + 1] = f end
	if i.bootstrap_size then parts[#parts + 1] = { path = "(bootstrap) " .. i.bootstrap, size = i.bootstrap_size } end
	local overhead = i.built - sum(parts)
	if overhead > 0 then parts[#parts + 1] = { path = "(headers, inodes and page padding)", size = overhead } end
	table.sort(parts, function(a, b) if a.size ~= b.size then return a.size > b.size end return a.path < b.path end)
	composition(c, parts, i.built, i.name)
end

local function redoxfs_panel(c, i)
	local u = i.usage
	local total = u and u.blocks * u.block_size or i.built
	c.heading(sfmt("%s: RedoxFS of %s, %s", i.name, human(total), count(#i.files, "file")),
		sfmt("%s: %s in files%s", i.output, human(i.content),
			u and sfmt(", %s in blocks (files, nodes, directories, allocation log)", human(u.used * u.block_size)) or ""))
	if u then usage_bar(c, u.used * u.block_size, total, "blocks in use", "#4e79a7") end
	composition(c, i.files, i.content, i.name .. "'s files")
end

local function svg(desc)
	local c = canvas()
	c.heading(sfmt("kiln report: %s, %s", desc.arch, desc.system),
		sfmt("kiln %s; sizes are bytes in powers of 1024; hover a rectangle for its details", desc.version))
	local shown = {}
	for _, i in ipairs(desc.images) do
		if i.format == "gpt" then
			disk_panel(c, i)
			shown[i] = true
			for _, e in ipairs(i.gpt.partitions) do if e.image and e.image.format == "fat" then shown[e.image] = true end end
		end
	end
	for _, i in ipairs(desc.images) do
		if i.format == "initfs" then initfs_panel(c, i)
		elseif i.format == "redoxfs" then redoxfs_panel(c, i)
		elseif not shown[i] and i.format == "fat" then
			c.heading(sfmt("%s: FAT volume of %s", i.name, human(i.built)), i.output)
			fat_panel(c, i.fat, i.built, i.name)
		end
	end
	local h = c.y + M
	return table.concat({
		'<?xml version="1.0" encoding="UTF-8"?>',
		sfmt('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="12">',
			W, math.ceil(h), W, math.ceil(h)),
		"<style>.h{font-size:16px;font-weight:bold}.b{font-weight:bold}.s{fill:#555555;font-size:11px}" ..
			".in{fill:#ffffff;font-size:11px}.capacity,.disk{stroke:#888888;stroke-width:0.5}</style>",
		'<rect x="0" y="0" width="100%" height="100%" fill="#ffffff" class="background"/>',
		table.concat(c.parts, "\n"),
		"</svg>", "" }, "\n")
end

---------------------------------------------------------------------------------------------

-- write text to path unless it already holds exactly that (an unchanged file keeps its
-- mtime, for the summary edge's restat); through a temporary file and a rename
local function write(path, text)
	local f = io.open(path, "rb")
	if f then
		local old = f:read("a")
		f:close()
		if old == text then return end
	end
	local tmp = path .. ".tmp"
	local err
	f, err = io.open(tmp, "wb")
	if not f then error(sfmt("cannot write %s: %s", path, err), 0) end
	local ok
	ok, err = f:write(text)
	f:close()
	if not ok then os.remove(tmp); error(sfmt("%s: %s", path, err), 0) end
	local r, e = os.rename(tmp, path)
	if not r then os.remove(tmp); error(sfmt("%s: %s", path, e), 0) end
end

function R.run(mode, outfile)
	local desc = gather(mode)
	if mode == "summary" then
		local text = summary_text(desc)
		io.stdout:write(text)
		if outfile ~= "" then write(outfile, text) end
		return
	end
	local pic = svg(desc)
	if outfile == "-" then io.stdout:write(pic) return end
	write(outfile, pic)
	io.stdout:write(sfmt("wrote %s (%d bytes): open it in a web browser\n", outfile, #pic))
end

return R
