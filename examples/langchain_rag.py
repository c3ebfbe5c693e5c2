"""A LangChain RAG pipeline traced by PyFlare: retriever (its documents become the span's retrieval
contexts, which PyFlare's evaluations read), prompt, chat model, parser.

Run: python examples/langchain_rag.py
"""

from __future__ import annotations

from _setup import provider_url, report
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnablePassthrough
from langchain_openai import ChatOpenAI

import pyflare

KNOWLEDGE = [
    "PyFlare stores spans in ClickHouse.",
    "Drift scores use PSI and the KS test.",
    "Alerts are sent to Slack and e-mail.",
]


class KeywordRetriever(BaseRetriever):
    """The documents that share a word with the question (a vector store would go here)."""

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        words = {w.strip(".?,").lower() for w in query.split()}
        return [Document(page_content=d) for d in KNOWLEDGE if words & {w.strip(".").lower() for w in d.split()}]


def build_chain(url: str):
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from the context only.\nContext: {context}"), ("user", "[case:rag] {question}")]
    )
    llm = ChatOpenAI(model="gpt-4o-mini", base_url=f"{url}/v1", api_key="sk-example", max_retries=0)
    retriever = KeywordRetriever()

    def join(docs: list[Document]) -> str:
        return "\n".join(d.page_content for d in docs)

    return {"context": retriever | join, "question": RunnablePassthrough()} | prompt | llm | StrOutputParser()


def main() -> None:
    pyflare.init(service_name="example-langchain-rag")
    pyflare.instrument("openai", "langchain", capture_content=True)  # documents and messages recorded
    with provider_url() as url, pyflare.span("rag request") as root:
        print(build_chain(url).invoke("Where does PyFlare store spans?"))
    pyflare.shutdown()
    report(rag=root.trace_id)


if __name__ == "__main__":
    main()
