"""The app's templates call functions through core.templating.TemplateContext: the same
results as Jinja's own Context for every kind of callable (it only skips looking for a
callable class's `__call__` on plain functions and methods)."""

from __future__ import annotations

from jinja2 import Environment, pass_context, pass_environment, pass_eval_context

from interacta.core.templating import TemplateContext

SOURCE = """
{%- macro box(x) %}[{{ caller(x) }}]{% endmacro -%}
{% set outer = 'block' %}
{% for item in ['a', 'b'] %}{{ with_context('item') }}{{ with_context('outer') }};{% endfor %}
{{ with_eval() }} {{ with_env() }} {{ plain(1, k=2) }} {{ method(3) }} {{ builtin([4, 5]) }}
{{ callable_class('x') }} {{ stop() is undefined }} {% call(v) box(6) %}{{ v }}{% endcall %}
{{ with_context('missing') }}
"""


class Counter:
    def bump(self, n):
        return n + 1


class TakesContext:
    @pass_context
    def __call__(self, context, name):
        return f"class:{context.get('outer')}:{name}"


def _globals():
    def plain(a, k=0):
        return a + k

    def stop():
        raise StopIteration

    return {
        "with_context": pass_context(lambda ctx, name: f"<{ctx.get(name)}>"),
        "with_eval": pass_eval_context(lambda ectx: f"auto={ectx.autoescape}"),
        "with_env": pass_environment(lambda env: type(env).__name__),
        "plain": plain,
        "method": Counter().bump,
        "builtin": len,
        "callable_class": TakesContext(),
        "stop": stop,
    }


def test_every_kind_of_call_gives_what_jinja_gives():
    outputs = []
    for context_class in (None, TemplateContext):
        env = Environment(autoescape=True)
        if context_class is not None:
            env.context_class = context_class
        env.globals.update(_globals())
        outputs.append(env.from_string(SOURCE).render())
    assert outputs[0] == outputs[1]
    assert "&lt;None&gt;&lt;block&gt;;" in outputs[1]  # the context's own variables
    assert "auto=True Environment 3 4 2\nclass:block:x True [6]" in outputs[1]


def test_the_app_renders_with_it(app):
    assert app.jinja_env.context_class is TemplateContext
