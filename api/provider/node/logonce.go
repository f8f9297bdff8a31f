package node

import (
	"sync"

	"cosmossdk.io/log"
)

// logOnce logs a problem when it appears or changes, and at debug level
// while it persists, so that a chain that stays unreachable, or a unit
// registered with the wrong endpoint, is one clear line in the log and not
// one per poll.
type logOnce struct {
	mu   sync.Mutex
	seen map[string]string // topic → identity of the problem last logged
}

func newLogOnce() *logOnce { return &logOnce{seen: map[string]string{}} }

// fresh reports whether identity is new for topic, and records it.
func (l *logOnce) fresh(topic, identity string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[topic] == identity {
		return false
	}
	l.seen[topic] = identity
	return true
}

func (l *logOnce) errorf(logger log.Logger, topic, identity, msg string, kv ...any) {
	if l.fresh(topic, identity) {
		logger.Error(msg, kv...)
	} else {
		logger.Debug(msg, kv...)
	}
}

func (l *logOnce) warnf(logger log.Logger, topic, identity, msg string, kv ...any) {
	if l.fresh(topic, identity) {
		logger.Warn(msg, kv...)
	} else {
		logger.Debug(msg, kv...)
	}
}

// clear forgets topic's problem: it was solved, and logs again if it
// comes back.
func (l *logOnce) clear(topic string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.seen, topic)
}
