package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

const (
	parentPollInterval = 500 * time.Millisecond
	// How long a graceful shutdown may take once the parent is gone.
	orphanShutdownGrace = 5 * time.Second
)

// exitWithParent stops this process when the process that started it goes
// away: a test run that is interrupted or killed must not leave etcd or an
// apiserver running. The parent is gone when our parent pid changes (we were
// re-parented to init or a subreaper). Polling works for every subcommand and
// needs no cgo, unlike prctl(PR_SET_PDEATHSIG), which also fires when merely the
// spawning thread of the parent exits.
func exitWithParent() {
	parent := os.Getppid()
	go func() {
		for range time.Tick(parentPollInterval) {
			if os.Getppid() == parent {
				continue
			}
			fmt.Fprintf(os.Stderr, "kube-testenv: parent process %d exited; shutting down\n", parent)
			// SIGTERM runs each component's own graceful shutdown path.
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
			time.Sleep(orphanShutdownGrace)
			os.Exit(1)
		}
	}()
}
