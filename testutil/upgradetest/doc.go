// Package upgradetest runs flashbackd's software upgrades on a real
// 4-validator localnet (behind the e2e build tag; `make test-upgrade`): the
// chain starts on the release an upgrade starts from, built from its commit
// (v1.commit, scripts/build-at-commit.sh), a gov software-upgrade proposal
// passes, every node halts at the plan height and restarts on the current
// binary, which migrates the stores and goes on.
package upgradetest
