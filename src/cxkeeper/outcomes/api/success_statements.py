"""Success statements (`/api/v1/success-statements`): customer goal → business outcome →
measure, one sentence each, under a shared outcome."""

from ninja import Router

from cxkeeper.core.crud import Crud
from cxkeeper.outcomes import actions
from cxkeeper.outcomes.api.schemas import (
    STATEMENT_REFS,
    StatementFilters,
    SuccessStatementIn,
    SuccessStatementOut,
    SuccessStatementPatch,
)
from cxkeeper.outcomes.models import SuccessStatement

success_statements_router = Router(tags=["outcomes"])


def _statements():
    return SuccessStatement.objects.select_related("outcome", "target", "target__metric", "target__journey",
                                                   "target__stage", "target__step", "target__outcome")


(Crud(success_statements_router, SuccessStatement, name="success_statement", plural="success_statements",
      out=SuccessStatementOut, queryset=_statements, refs=STATEMENT_REFS)
    .list(StatementFilters, summary="List success statements")
    .get(summary="Get a success statement")
    .create(SuccessStatementIn, actions.add_success_statement, summary="Write a success statement (keeper)",
            reread=True)
    .update(SuccessStatementPatch, actions.update_success_statement, summary="Edit a success statement (keeper)",
            reread=True)
    .delete(actions.delete_success_statement, summary="Delete a success statement (keeper)")
    .history())
