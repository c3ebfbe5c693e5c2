"""A LangChain tool-calling agent traced by PyFlare: the agent run, each model call, the tool run.

Run: python examples/langchain_agent.py
"""

from __future__ import annotations

from _setup import provider_url, report
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

import pyflare


@tool
def get_weather(city: str) -> str:
    """Weather of a city."""
    return f"[case:agent-answer] sunny, 24 C in {city}"


def build_agent(url: str) -> RunnableLambda:
    llm = ChatOpenAI(model="gpt-4o-mini", base_url=f"{url}/v1", api_key="sk-example", max_retries=0)
    llm_with_tools = llm.bind_tools([get_weather])

    def run(question: str) -> str:
        messages = [HumanMessage(f"[case:tools] {question}")]
        while True:
            reply = llm_with_tools.invoke(messages)
            messages.append(reply)
            if not reply.tool_calls:
                return str(reply.content)
            for call in reply.tool_calls:
                messages.append(ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"]))

    return RunnableLambda(run, name="weather_agent")


def main() -> None:
    pyflare.init(service_name="example-langchain-agent")
    pyflare.instrument("openai", "langchain")  # model calls are counted once, under the LangChain spans
    with provider_url() as url, pyflare.span("agent request") as root:
        print(build_agent(url).invoke("What is the weather in Paris?"))
    pyflare.shutdown()
    report(agent=root.trace_id)


if __name__ == "__main__":
    main()
