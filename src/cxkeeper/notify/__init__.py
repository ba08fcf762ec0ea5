"""Notices where each person wants them (issue 15, decision 0040): the listener that turns every
`core.events` event into an in-app notice, an e-mail at once or a line of the weekly digest —
or nothing — by each person's preferences; e-mail over SMTP; the weekly digest per team."""
