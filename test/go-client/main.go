// Command go-client talks to Countersign from the Go SDK, the way any other
// service would. The contract is lib/contract/approval.ts; the tests
// test/integration/go-client.test.ts, e2e/go-quorum.spec.ts and
// e2e/quorum-race.spec.ts build and run it (test/support/go-client.ts).
//
// approve and reject decide one approval: they complete the approval activity
// (approve) or fail it with a non-retryable ApplicationError of type
// ApprovalDenied (reject), by task token or by workflow id + activity id.
//
//	go-client approve -reviewer ops@example.com [-comment text] (-token B64 | -workflow-id W [-run-id R] [-activity-id A])
//	go-client reject  -reviewer ops@example.com -reason text    (-token B64 | -workflow-id W [-run-id R] [-activity-id A])
//
// request asks for one: it runs a Go worker for the Go workflow in workflow.go
// on its own task queue (-worker-queue), starts that workflow, which calls
// requestApproval on Countersign's task queue (-countersign-queue) and asks
// for a quorum of 2 unless told, waits for the decision and prints the
// workflow's result as one line of JSON on stdout, such as
// {"status":"APPROVED","approved":true,"approvers":["a@x","b@x"],"reviewer":"b@x"}.
// Run it again with the same -workflow-id to wait for a workflow already started.
//
//	go-client request -title T [-requester EMAIL] [-quorum 2] [-groups g1,g2] [-users a@x,b@x]
//	                  [-escalate-groups g] [-escalate-users c@x] [-window 24h] [-workflow-id W]
//	                  [-countersign-queue countersign] [-worker-queue countersign-go-client]
//
// All take -address host:port and -namespace NS. Exit status: 0 decided (or,
// for request, the workflow returned an outcome), 1 Temporal refused or was
// unreachable (or the workflow failed), 2 bad usage.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// approvalResult is what completes the activity when approved. approve sends
// the first three fields; Countersign sends them all (approvers: every
// approval that counted towards the quorum).
type approvalResult struct {
	Approved   bool            `json:"approved"`
	Reviewer   string          `json:"reviewer"`
	Comment    string          `json:"comment,omitempty"`
	OnBehalfOf string          `json:"onBehalfOf,omitempty"`
	Approvers  []approverEntry `json:"approvers,omitempty"`
	Values     map[string]any  `json:"values,omitempty"`
}

const usage = `usage: go-client approve|reject -reviewer EMAIL [-comment TEXT | -reason TEXT] (-token BASE64 | -workflow-id ID [-run-id ID] [-activity-id ID]) [-address HOST:PORT] [-namespace NS]
       go-client request -title TEXT [-requester EMAIL] [-quorum N] [-groups G,..] [-users EMAIL,..] [-escalate-groups G,..] [-escalate-users EMAIL,..] [-window DURATION] [-workflow-id ID] [-countersign-queue QUEUE] [-worker-queue QUEUE] [-address HOST:PORT] [-namespace NS]`

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
	if len(args) > 0 && args[0] == "request" {
		return runRequest(args[1:])
	}
	if len(args) == 0 || (args[0] != "approve" && args[0] != "reject") {
		return usageError{"the first argument must be approve, reject or request"}
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
	c, err := dial(ctx, *address, *namespace)
	if err != nil {
		return err
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

func dial(ctx context.Context, address, namespace string) (client.Client, error) {
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  address,
		Namespace: namespace,
		// Warnings and errors only, on stderr: stdout stays for the outcome line.
		Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	})
	if err != nil {
		return nil, fmt.Errorf("cannot connect to Temporal at %s (namespace %s): %w", address, namespace, err)
	}
	return c, nil
}

// list splits a comma-separated flag value; empty parts are dropped.
func list(value string) []string {
	var out []string
	for _, part := range strings.Split(value, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// routingOf is nil when neither groups nor users are given (the field is then left out).
func routingOf(groups, users string) *routing {
	r := routing{Groups: list(groups), Users: list(users)}
	if len(r.Groups) == 0 && len(r.Users) == 0 {
		return nil
	}
	return &r
}

// runRequest runs the Go worker, starts the Go workflow (or finds it running)
// and prints its result as JSON. SIGINT or SIGTERM stops the worker and
// returns; the workflow keeps waiting in Temporal.
func runRequest(args []string) error {
	fs := flag.NewFlagSet("go-client request", flag.ContinueOnError)
	address := fs.String("address", "127.0.0.1:7233", "Temporal frontend host:port")
	namespace := fs.String("namespace", "default", "Temporal namespace")
	workflowID := fs.String("workflow-id", "", "workflow id (default: go-approval-<time>)")
	countersignQueue := fs.String("countersign-queue", "countersign", "Countersign's worker task queue: the approval activity runs there")
	workerQueue := fs.String("worker-queue", "countersign-go-client", "this program's task queue: the Go workflow runs there")
	window := fs.Duration("window", 24*time.Hour, "one window of the request (the activity's StartToClose); it gets two")
	title := fs.String("title", "", "what to approve (required)")
	requester := fs.String("requester", "", "who asks (four eyes: they may not approve)")
	quorum := fs.Int("quorum", 2, "distinct approvals needed")
	groups := fs.String("groups", "", "approver groups, comma-separated (none and no -users: any reviewer)")
	users := fs.String("users", "", "approver emails, comma-separated")
	escalateGroups := fs.String("escalate-groups", "", "groups eligible too from the second window on, comma-separated")
	escalateUsers := fs.String("escalate-users", "", "emails eligible too from the second window on, comma-separated")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case strings.TrimSpace(*title) == "":
		return usageError{"-title is required"}
	case *quorum < 1:
		return usageError{"-quorum must be at least 1"}
	case *window <= 0:
		return usageError{"-window must be a positive duration, such as 24h or 30s"}
	case *countersignQueue == *workerQueue:
		return usageError{"-worker-queue must differ from -countersign-queue: Countersign's worker does not run this workflow"}
	}
	if *workflowID == "" {
		*workflowID = "go-approval-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	input := approvalInput{
		CountersignQueue: *countersignQueue,
		Window:           *window,
		Request: approvalRequest{
			Version:    2,
			Title:      *title,
			Requester:  *requester,
			Approvers:  routingOf(*groups, *users),
			Quorum:     *quorum,
			EscalateTo: routingOf(*escalateGroups, *escalateUsers),
		},
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := dial(dialCtx, *address, *namespace)
	if err != nil {
		return err
	}
	defer c.Close()

	w := worker.New(c, *workerQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(approvalWorkflow, workflow.RegisterOptions{Name: approvalWorkflowName})
	if err := w.Start(); err != nil {
		return fmt.Errorf("could not start the worker on task queue %s: %w", *workerQueue, err)
	}
	defer w.Stop()

	// A workflow already running under this id is waited for, not started again.
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: *workflowID, TaskQueue: *workerQueue}, approvalWorkflowName, input)
	if err != nil {
		return fmt.Errorf("could not start workflow %s: %w", *workflowID, err)
	}
	fmt.Fprintf(os.Stderr, "go-client: workflow %s (run %s) on task queue %s asks Countersign (task queue %s); waiting for the decision\n",
		run.GetID(), run.GetRunID(), *workerQueue, *countersignQueue)

	var outcome approvalOutcome
	if err := run.Get(ctx, &outcome); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: workflow %s keeps waiting; run again with -workflow-id %s to wait for it", run.GetID(), run.GetID())
		}
		return fmt.Errorf("workflow %s failed: %w", run.GetID(), err)
	}
	line, err := json.Marshal(outcome)
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	return nil
}
