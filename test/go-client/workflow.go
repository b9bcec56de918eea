package main

// The Go workflow that asks Countersign for an approval, the way a service
// written in Go would: it calls the requestApproval activity on Countersign's
// task queue and waits. The workflow itself runs on this program's own task
// queue (see runRequest in main.go); only the activity runs on Countersign's.

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// approvalWorkflowName is the workflow's type name: the inbox shows it as the request type.
const approvalWorkflowName = "goApprovalWorkflow"

// routing names who may decide: people in any of the groups, or named by email.
type routing struct {
	Groups []string `json:"groups,omitempty"`
	Users  []string `json:"users,omitempty"`
}

// approvalRequest is the activity's input: the request contract, version 2 (lib/contract/approval.ts).
type approvalRequest struct {
	Version    int      `json:"version"`
	Title      string   `json:"title"`
	Requester  string   `json:"requester,omitempty"`
	Approvers  *routing `json:"approvers,omitempty"`
	Quorum     int      `json:"quorum"`
	EscalateTo *routing `json:"escalateTo,omitempty"`
}

// approvalInput is the workflow's input.
type approvalInput struct {
	// CountersignQueue is Countersign's worker task queue: the activity runs there.
	CountersignQueue string `json:"countersignQueue"`
	// Window is one attempt of the activity (StartToClose); the request gets two.
	Window  time.Duration   `json:"window"`
	Request approvalRequest `json:"request"`
}

// approverEntry is one approval towards the quorum, as the activity's result lists it.
type approverEntry struct {
	Reviewer   string `json:"reviewer"`
	OnBehalfOf string `json:"onBehalfOf,omitempty"`
	At         string `json:"at"`
	Comment    string `json:"comment,omitempty"`
}

// approvalOutcome is what the workflow returns, and what `go-client request` prints.
type approvalOutcome struct {
	// Status is APPROVED, REJECTED or EXPIRED.
	Status   string `json:"status"`
	Approved bool   `json:"approved"`
	// Approvers: every reviewer whose approval counted, in order.
	Approvers []string `json:"approvers,omitempty"`
	// OnBehalfOf: reviewer → the person they stood in for, for delegated approvals.
	OnBehalfOf map[string]string `json:"onBehalfOf,omitempty"`
	// Reviewer: who completed the activity (the approval that reached the quorum), or who rejected.
	Reviewer string         `json:"reviewer,omitempty"`
	Reason   string         `json:"reason,omitempty"`
	Values   map[string]any `json:"values,omitempty"`
}

// approvalWorkflow asks for the approval and returns how it ended. A request
// Countersign refuses (InvalidApprovalRequest) fails the workflow.
func approvalWorkflow(ctx workflow.Context, in approvalInput) (approvalOutcome, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           in.CountersignQueue,
		ActivityID:          "approval",
		StartToCloseTimeout: in.Window,
		// Two windows; a rejection is final. No heartbeat timeout: Countersign
		// completes the activity from outside, and heartbeats only progress.
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 2, NonRetryableErrorTypes: []string{"ApprovalDenied"}},
	})
	var result approvalResult
	err := workflow.ExecuteActivity(ctx, "requestApproval", in.Request).Get(ctx, &result)
	if err == nil {
		if !result.Approved {
			return approvalOutcome{}, temporal.NewNonRetryableApplicationError("the approval was completed without approved: true", "InvalidApprovalResult", nil)
		}
		outcome := approvalOutcome{Status: "APPROVED", Approved: true, Reviewer: result.Reviewer, Values: result.Values}
		if len(result.Approvers) == 0 {
			// Completed by a caller that does not list approvers (go-client approve, the temporal CLI).
			result.Approvers = []approverEntry{{Reviewer: result.Reviewer, OnBehalfOf: result.OnBehalfOf}}
		}
		for _, a := range result.Approvers {
			outcome.Approvers = append(outcome.Approvers, a.Reviewer)
			if a.OnBehalfOf != "" {
				if outcome.OnBehalfOf == nil {
					outcome.OnBehalfOf = map[string]string{}
				}
				outcome.OnBehalfOf[a.Reviewer] = a.OnBehalfOf
			}
		}
		return outcome, nil
	}

	var appErr *temporal.ApplicationError
	var timeoutErr *temporal.TimeoutError
	var activityErr *temporal.ActivityError
	switch {
	// A rejection: ApprovalDenied, or any other non-retryable failure sent from
	// outside (`temporal activity fail` sends one with no type).
	case errors.As(err, &appErr) && (appErr.Type() == "ApprovalDenied" || (appErr.NonRetryable() && appErr.Type() != "InvalidApprovalRequest")):
		var details struct {
			Reviewer string `json:"reviewer"`
		}
		if appErr.HasDetails() {
			_ = appErr.Details(&details)
		}
		return approvalOutcome{Status: "REJECTED", Reviewer: details.Reviewer, Reason: appErr.Message()}, nil
	// The last window ran out: by its timeout, or by a retryable failure sent from outside.
	case errors.As(err, &timeoutErr),
		errors.As(err, &activityErr) && activityErr.RetryState() == enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED:
		return approvalOutcome{Status: "EXPIRED"}, nil
	default:
		return approvalOutcome{}, err
	}
}
