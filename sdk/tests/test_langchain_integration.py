"""The LangChain integration: a real chain, a real tool-calling agent with a retriever, over the real
`langchain-openai` client against the local provider server; the span tree and its usage checked."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.chat_history import InMemoryChatMessageHistory
from langchain_core.documents import Document
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda
from langchain_core.runnables.history import RunnableWithMessageHistory
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from llm_stub import CASES, DATED, attrs, children, stub_fixture  # noqa: F401

import pyflare

DOCS = ["PyFlare stores spans in ClickHouse.", "Drift scores use PSI.", "Alerts go to Slack."]


class KeywordRetriever(BaseRetriever):
    """Documents sharing a word with the query."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        words = {w.strip(".?").lower() for w in query.split()}
        return [Document(page_content=d) for d in DOCS if words & {w.strip(".").lower() for w in d.split()}]


@tool
def get_weather(city: str) -> str:
    """Weather of a city."""
    return f"[case:agent-answer] sunny in {city}"


@pytest.fixture(autouse=True)
def instrumented():
    yield
    pyflare.uninstrument()


def model(stub) -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o-mini", base_url=f"{stub.url}/v1", api_key="sk-test", max_retries=0)


def chain(stub):
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer briefly."), ("user", "[case:{case}] {question}")]
    )
    return prompt | model(stub) | StrOutputParser()


def llm_spans(spans):
    """Spans that record a model call (the server reads them as inference type llm)."""
    return [s for s in spans if attrs(s).get("gen_ai.operation.name") in ("chat", "text_completion")]


def test_chain_tree_and_usage_from_langchain_alone(stub, captured):
    pyflare.instrument("langchain")
    answer = chain(stub).invoke({"case": "chain", "question": "Say something"})
    assert answer == CASES["chain"].text
    spans = captured.spans
    (root,) = [s for s in spans if s.parent is None]
    assert root.name == "RunnableSequence"
    assert sorted(s.name for s in children(spans, root)) == [
        "ChatPromptTemplate",
        "StrOutputParser",
        "chat gpt-4o-mini",
    ]
    (llm,) = llm_spans(spans)
    a = attrs(llm)
    c = CASES["chain"]
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (
        c.input_tokens,
        c.output_tokens,
    )
    assert a["gen_ai.provider.name"] == "openai"
    assert a["gen_ai.request.model"] == "gpt-4o-mini"
    assert a["gen_ai.response.model"] == DATED["gpt-4o-mini"]
    assert a["gen_ai.response.finish_reasons"] == ["stop"]
    assert "gen_ai.input.messages" not in a  # content capture is off by default


def test_no_double_count_with_the_openai_integration(stub, captured):
    pyflare.instrument("openai", "langchain")
    chain(stub).invoke({"case": "chain", "question": "Say something"})
    spans = captured.spans
    (provider,) = llm_spans(spans)  # exactly one span carries the call's usage
    assert provider.name == "chat gpt-4o-mini" and attrs(provider)["gen_ai.usage.input_tokens"] == 44
    (framework,) = [s for s in spans if attrs(s).get("pyflare.gen_ai.delegated")]
    assert provider.parent.span_id == framework.context.span_id  # the provider span nests under LangChain's
    assert not any(k.startswith("gen_ai.usage") for k in attrs(framework))


def agent(stub):
    """A tool-calling agent: retrieve context, ask the model, run the tool it asks for, ask again."""
    retriever = KeywordRetriever()
    llm = model(stub).bind_tools([get_weather])

    def run(question: str) -> str:
        docs = retriever.invoke(question)
        messages = [
            HumanMessage(f"[case:tools] {question} Context: {' '.join(d.page_content for d in docs)}")
        ]
        reply = llm.invoke(messages)
        messages.append(reply)
        for call in reply.tool_calls:
            messages.append(ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"]))
        return llm.invoke(messages).content

    return RunnableLambda(run, name="weather_agent")


def test_agent_with_tool_and_retriever_tree(stub, start):
    captured = start()
    pyflare.instrument("openai", "langchain", capture_content=True)
    answer = agent(stub).invoke("Where does PyFlare store spans, and what is the weather in Paris?")
    assert answer == CASES["agent-answer"].text
    spans = captured.spans
    (root,) = [s for s in spans if s.parent is None]
    assert root.name == "weather_agent"
    top = sorted(children(spans, root), key=lambda s: s.start_time)
    assert [s.name for s in top] == [
        "retrieve KeywordRetriever",
        "chat gpt-4o-mini",
        "execute_tool get_weather",
        "chat gpt-4o-mini",
    ]
    retrieval = attrs(top[0])
    assert retrieval["pyflare.framework.run_type"] == "retriever"
    assert retrieval["pyflare.retrieval.contexts"] == [DOCS[0]]
    tool_span = attrs(top[2])
    assert tool_span["gen_ai.tool.name"] == "get_weather"
    assert json.loads(tool_span["gen_ai.tool.call.arguments"].replace("'", '"')) == {"city": "Paris"}
    assert "sunny in Paris" in tool_span["gen_ai.tool.call.result"]
    first, second = (children(spans, s) for s in (top[1], top[3]))
    (provider_first,) = [s for s in first if s.name == "chat gpt-4o-mini"]
    (provider_second,) = second
    assert attrs(provider_first)["gen_ai.usage.input_tokens"] == CASES["tools"].input_tokens
    assert attrs(provider_second)["gen_ai.usage.output_tokens"] == CASES["agent-answer"].output_tokens
    assert [s.name for s in children(spans, provider_first)] == ["tool_call get_weather"]


def test_parent_child_across_async_and_threads(stub, captured):
    pyflare.instrument("openai", "langchain")
    runnable = chain(stub)

    async def many():
        return await asyncio.gather(
            *(runnable.ainvoke({"case": "chain", "question": f"q{i}"}) for i in range(3))
        )

    asyncio.run(many())
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda i: runnable.invoke({"case": "chain", "question": f"t{i}"}), range(3)))
    spans = captured.spans
    roots = [s for s in spans if s.parent is None]
    assert len(roots) == 6 and all(r.name == "RunnableSequence" for r in roots)
    by_id = {s.context.span_id: s for s in spans}
    for provider in llm_spans(spans):
        framework = by_id[provider.parent.span_id]
        assert attrs(framework)["pyflare.gen_ai.delegated"] is True
        assert by_id[framework.parent.span_id] in roots
        assert framework.context.trace_id == provider.context.trace_id


def test_memory_runs_are_memory_spans_around_the_chain(stub, captured):
    pyflare.instrument("langchain")
    histories: dict[str, InMemoryChatMessageHistory] = {}
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer briefly."), MessagesPlaceholder("history"), ("user", "[case:chain] {question}")]
    )
    with_memory = RunnableWithMessageHistory(
        prompt | model(stub) | StrOutputParser(),
        lambda session_id: histories.setdefault(session_id, InMemoryChatMessageHistory()),
        input_messages_key="question",
        history_messages_key="history",
    )
    config = {"configurable": {"session_id": "s1"}}
    for question in ("First question", "Second question"):
        assert with_memory.invoke({"question": question}, config=config) == CASES["chain"].text
    assert len(histories["s1"].messages) == 4  # two questions and two answers remembered

    spans = captured.spans
    roots = [s for s in spans if s.parent is None]
    assert [r.name for r in roots] == ["RunnableWithMessageHistory"] * 2
    memory = [s for s in spans if attrs(s).get("pyflare.framework.run_type") == "memory"]
    # per call: the wrapper itself, loading the history and inserting the new turn
    assert sorted(s.name for s in memory) == sorted(
        ["RunnableWithMessageHistory", "load_history", "insert_history"] * 2
    )
    by_id = {s.context.span_id: s for s in spans}

    def root_of(span):
        while span.parent is not None:
            span = by_id[span.parent.span_id]
        return span

    for llm in llm_spans(spans):  # each model call sits inside its own memory-wrapped run
        assert root_of(llm).name == "RunnableWithMessageHistory"
    assert len({root_of(s).context.trace_id for s in llm_spans(spans)}) == 2
