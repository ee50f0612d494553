#!/bin/sh
# As the official image does: options alone (`--appendonly yes`) are options of valkey-server,
# and without a configuration file protected mode is off (the container network is the boundary;
# set a password with --requirepass).
set -e
case "$1" in
    -*) set -- valkey-server "$@" ;;
esac
if [ "$1" = valkey-server ]; then
    case " $* " in
        *" --protected-mode "* | *.conf" "*) ;;
        *) set -- "$@" --protected-mode no ;;
    esac
fi
exec "$@"
