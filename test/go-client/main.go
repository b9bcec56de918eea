// Command go-client decides one Countersign approval from the Go SDK, the way
// any other service would: it completes the approval activity (approve) or
// fails it with a non-retryable ApplicationError of type ApprovalDenied
// (reject), by task token or by workflow id + activity id. The contract is
// lib/approval-contract.ts; the integration test test/integration/go-client.test.ts
// builds and runs it.
//
//	go-client approve -reviewer ops@example.com [-comment text] (-token B64 | -workflow-id W [-run-id R] [-activity-id A])
//	go-client reject  -reviewer ops@example.com -reason text    (-token B64 | -workflow-id W [-run-id R] [-activity-id A])
//
// Both take -address host:port and -namespace NS. Exit status: 0 decided,
// 1 Temporal refused or was unreachable, 2 bad usage.
package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
)

// approvalResult is what completes the activity when approved.
type approvalResult struct {
	Approved bool   `json:"approved"`
	Reviewer string `json:"reviewer"`
	Comment  string `json:"comment,omitempty"`
}

const usage = "usage: go-client approve|reject -reviewer EMAIL [-comment TEXT | -reason TEXT] (-token BASE64 | -workflow-id ID [-run-id ID] [-activity-id ID]) [-address HOST:PORT] [-namespace NS]"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "go-client:", err)
		var usageErr usageError
		if errors.As(err, &usageErr) {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string) error {
	if len(args) == 0 || (args[0] != "approve" && args[0] != "reject") {
		return usageError{"the first argument must be approve or reject"}
	}
	decision := args[0]
	fs := flag.NewFlagSet("go-client "+decision, flag.ContinueOnError)
	address := fs.String("address", "127.0.0.1:7233", "Temporal frontend host:port")
	namespace := fs.String("namespace", "default", "Temporal namespace")
	token := fs.String("token", "", "task token, base64 (standard encoding)")
	workflowID := fs.String("workflow-id", "", "workflow id (instead of -token)")
	runID := fs.String("run-id", "", "run id (optional; empty = the current run)")
	activityID := fs.String("activity-id", "approval", "activity id")
	reviewer := fs.String("reviewer", "", "who decides (required)")
	comment := fs.String("comment", "", "comment for an approval (optional)")
	reason := fs.String("reason", "", "reason for a rejection (required to reject)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case *reviewer == "":
		return usageError{"-reviewer is required"}
	case (*token == "") == (*workflowID == ""):
		return usageError{"give exactly one of -token and -workflow-id"}
	case decision == "reject" && *reason == "":
		return usageError{"-reason is required to reject"}
	case decision == "approve" && *reason != "", decision == "reject" && *comment != "":
		return usageError{"-comment goes with approve, -reason with reject"}
	}

	var taskToken []byte
	if *token != "" {
		var err error
		if taskToken, err = base64.StdEncoding.DecodeString(*token); err != nil {
			return usageError{fmt.Sprintf("-token is not valid base64: %v", err)}
		}
	}

	var result any
	var failure error
	if decision == "approve" {
		result = approvalResult{Approved: true, Reviewer: *reviewer, Comment: *comment}
	} else {
		failure = temporal.NewNonRetryableApplicationError(*reason, "ApprovalDenied", nil, map[string]string{"reviewer": *reviewer})
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  *address,
		Namespace: *namespace,
		// Warnings and errors only, on stderr: stdout stays for the outcome line.
		Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	})
	if err != nil {
		return fmt.Errorf("cannot connect to Temporal at %s (namespace %s): %w", *address, *namespace, err)
	}
	defer c.Close()

	// The result is ignored when failure is set: the activity then fails.
	target := fmt.Sprintf("activity %s of workflow %s", *activityID, *workflowID)
	if *token != "" {
		target = "the activity of that task token"
		err = c.CompleteActivity(ctx, taskToken, result, failure)
	} else {
		err = c.CompleteActivityByID(ctx, *namespace, *workflowID, *runID, *activityID, result, failure)
	}
	if err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return fmt.Errorf("%s is no longer pending (already decided, re-issued after its window, or unknown): %w", target, err)
		}
		return fmt.Errorf("could not %s %s: %w", decision, target, err)
	}
	fmt.Printf("%s %s as %s\n", map[string]string{"approve": "approved", "reject": "rejected"}[decision], target, *reviewer)
	return nil
}
