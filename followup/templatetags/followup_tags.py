from django import template

from followup.forms import FinishForm, TaskForm
from followup.models import Task
from leads.models import Lead

register = template.Library()


@register.simple_tag
def lead_next_actions(lead: Lead) -> dict:
    tasks = list(lead.tasks.filter(state=Task.State.OPEN).select_related("assigned_to"))
    return {"rows": [(t, FinishForm(task=t)) for t in tasks], "task_form": TaskForm()}
