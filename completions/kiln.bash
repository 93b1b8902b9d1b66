# bash completion for kiln (bash 3.2 or newer).
#
# Commands, subcommands and options come from kiln's own usage texts (kiln help, kiln help
# COMMAND), so they never fall behind the program; in a build directory (kiln.conf), the
# names for `kiln show` come from `kiln list` and the paths for `kiln why` from the image
# manifests kiln gen wrote. Install as $(PREFIX)/share/bash-completion/completions/kiln,
# or source it from ~/.bashrc.

# the commands kiln knows, one per line
_kiln_commands() {
	"$1" help 2>/dev/null | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } /^$/ && on { on = 0 }'
}

# the subcommands of command $2: the word after "kiln CMD" on each usage line, if a word
_kiln_subcommands() {
	"$1" help "$2" 2>/dev/null | awk -v c="$2" '
		/^(usage:)? *kiln / {
			for (i = 1; i < NF; i++) if ($i == "kiln" && $(i + 1) == c) {
				w = $(i + 2)
				n = split(w, alts, "|")
				for (k = 1; k <= n; k++) if (alts[k] ~ /^[a-z][a-z-]*$/ && !seen[alts[k]]++) print alts[k]
			}
		}
		/^$/ { exit }'
}

# the options in the usage text of command $2 ("--name=" for those that take a value)
_kiln_options() {
	"$1" help "$2" 2>/dev/null | grep -Eo -- '(^|[[ |(])--?[A-Za-z][A-Za-z0-9-]*=?' |
		sed 's/^[[ |(]//' | grep -Ev -- '^--(NAME|OPTION|help)' | sort -u
}

# the component and image names of this build directory
_kiln_names() {
	[ -f kiln.conf ] && "$1" list 2>/dev/null | awk '{ print $1 }'
}

# the image paths of this build directory, from its manifests
_kiln_paths() {
	[ -d gen/manifests ] || return 0
	awk '$1 == "file" || $1 == "dir" || $1 == "symlink" || $1 == "hardlink" {
		p = $2; gsub(/\\s/, " ", p); print p }' gen/manifests/*.manifest 2>/dev/null | sort -u
}

_kiln() {
	local kiln=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= sub= i words
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		case $cur in
		-*) COMPREPLY=($(compgen -W "--help --version" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$(_kiln_commands "$kiln")" -- "$cur")) ;;
		esac
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	# "--name=value": complete the value
	case $cur in
	--arch=*) COMPREPLY=($(compgen -W "aarch64 x86_64" -- "${cur#*=}")); return 0 ;;
	--system=*) COMPREPLY=($(compgen -W "redox demo none" -- "${cur#*=}")); return 0 ;;
	--redox-src=*|--plugin-dir=*|--srcdir=*|--cwd=*|--target-dir=*)
		COMPREPLY=($(compgen -d -- "${cur#*=}")); return 0 ;;
	--*=*) COMPREPLY=($(compgen -f -- "${cur#*=}")); return 0 ;;
	esac
	case $prev in
	-o|--output|-C|--bootstrap|--policies) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
	--arch) COMPREPLY=($(compgen -W "aarch64 x86_64" -- "$cur")); return 0 ;;
	esac
	if [ "$cmd" = help ]; then
		[ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$(_kiln_commands "$kiln")" -- "$cur"))
		return 0
	fi
	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$(_kiln_options "$kiln" "$cmd") --help" -- "$cur"))
		# an option that takes a value gets no space after its '=' (bash 4's compopt)
		case ${COMPREPLY[0]:-} in *=) type compopt >/dev/null 2>&1 && compopt -o nospace 2>/dev/null ;; esac
		return 0 ;;
	esac
	words=$(_kiln_subcommands "$kiln" "$cmd")
	if [ -n "$words" ] && [ "$COMP_CWORD" -eq 2 ]; then
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0
	fi
	case $cmd in
	show) COMPREPLY=($(compgen -W "$(_kiln_names "$kiln")" -- "$cur")) ;;
	why)
		local IFS='
'
		COMPREPLY=($(compgen -W "$(_kiln_paths)" -- "$cur")) ;;
	list|graph|report|doctor|gen|version) ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}

complete -F _kiln kiln
