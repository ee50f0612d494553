#!/bin/sh
# As the official image does: RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS become the user
# created when the node first starts (the guest user is then not created).
set -e
conf=/etc/rabbitmq/conf.d/10-defaults.conf
mkdir -p /etc/rabbitmq/conf.d
: > "$conf"
if [ -n "$RABBITMQ_DEFAULT_USER" ]; then
    echo "default_user = $RABBITMQ_DEFAULT_USER" >> "$conf"
fi
if [ -n "$RABBITMQ_DEFAULT_PASS" ]; then
    echo "default_pass = $RABBITMQ_DEFAULT_PASS" >> "$conf"
fi
exec "$@"
