"""The web UI: a React + TypeScript single-page app (sources in this folder, built by Vite into
`dist/`) and the Django views that serve it at `/` next to the API."""
