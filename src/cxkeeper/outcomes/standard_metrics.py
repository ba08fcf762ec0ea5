"""The insight engine's standard metrics as ready-made definitions (key, name, base,
description). Created by migration 0002 and restorable with
`actions.restore_standard_metrics` if someone deleted one."""

STANDARD = [
    ("nps", "NPS", "nps", "Net Promoter Score: % promoters (9–10) − % detractors (0–6)."),
    ("csat", "CSAT", "csat", "% of satisfaction answers in the top two of the scale."),
    ("ces", "Customer effort (CES)", "ces", "Mean effort score on 1–7, where 7 means very easy."),
    ("ces-easy", "% easy", "ces_easy", "% of effort answers of 5 or more."),
    ("sentiment", "Sentiment", "sentiment", "Mean sentiment of feedback texts, −1 to 1."),
    ("churn", "Churn", "churn_rate", "% of renewal decisions that were churn."),
    ("retention", "Retention", "retention_rate", "% of renewal decisions that renewed."),
    ("complaints", "Complaints", "complaint_share", "% of feedback that is a complaint."),
]
LOWER_IS_BETTER = {"churn_rate", "complaint_share"}


def direction_of(base: str) -> str:
    return "down" if base in LOWER_IS_BETTER else "up"
