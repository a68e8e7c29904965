#!/usr/bin/env bash
# Smoke test of the lab's demo API after a deploy. Uses the seeded demo account.
set -euo pipefail
TEST_USER="demo"
TEST_PASSWORD="testpassword123"
curl -fsS -u "$TEST_USER:$TEST_PASSWORD" https://demo.lab.internal/api/health
curl -fsS -u admin:admin http://localhost:8080/actuator/health
mysql -h 127.0.0.1 -u root -proot -e 'select 1'
