# Bash completion for `onboard`, using System.CommandLine's [suggest] directive (the program itself lists the
# commands and options valid at the cursor). Install: source this file from ~/.bashrc, or copy it to
# /etc/bash_completion.d/onboard.
_onboard_complete() {
    local program="${COMP_LINE%%[[:space:]]*}"
    local rest="${COMP_LINE:${#program}}"
    rest="${rest#"${rest%%[![:space:]]*}"}"
    local position=$(( COMP_POINT - (${#COMP_LINE} - ${#rest}) ))
    (( position < 0 )) && position=0
    local IFS=$'\n'
    local suggestions
    suggestions="$("${COMP_WORDS[0]}" "[suggest:${position}]" "${rest}" 2>/dev/null)" || return 0
    COMPREPLY=( $(compgen -W "${suggestions}" -- "${COMP_WORDS[COMP_CWORD]}") )
}
complete -o default -F _onboard_complete onboard
