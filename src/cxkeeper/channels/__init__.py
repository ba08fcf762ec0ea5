"""Team channels in Slack and Microsoft Teams, and signed outgoing webhooks (issue 15, items 4
and 5): both hear every event of `cxkeeper.core.events` and deliver it through the job queue,
with retries and a delivery log. See docs/integrations.md and docs/decisions/0041."""
