# Bash completion of cleat, installed where bash-completion loads it from
# (bashcompdir: see configure.ac).
dist_bashcomp_DATA = contrib/bash-completion/cleat
