// The router, built from the page table: /login, "/" and /p/:project/<page>, each page lazily loaded.
import { createBrowserRouter, Navigate, type RouteObject } from "react-router";
import LoginPage from "../auth/LoginPage";
import { Loading } from "../components/ErrorView";
import { PAGES, DEFAULT_PAGE } from "./routes";
import RootRedirect from "./RootRedirect";
import { Shell } from "./Shell";
import NotFound from "./NotFound";
import PageError from "./PageError";

const pageRoutes: RouteObject[] = PAGES.map((page) => ({
  path: page.path,
  handle: { page: page.id },
  lazy: async () => ({ Component: (await page.load()).default }),
  // shown inside the shell while the page's chunk loads on the first render (without one the router
  // renders nothing there and warns on every page load)
  hydrateFallbackElement: <Loading />,
  errorElement: <PageError />,
}));

export const router = createBrowserRouter([
  { path: "/login", element: <LoginPage /> },
  { path: "/", element: <RootRedirect /> },
  {
    path: "/p/:project",
    element: <Shell />,
    errorElement: <PageError />,
    children: [{ index: true, element: <Navigate to={DEFAULT_PAGE} replace /> }, ...pageRoutes, { path: "*", element: <NotFound /> }],
  },
  { path: "*", element: <NotFound /> },
]);
