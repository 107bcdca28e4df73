import { useRoute } from "./router.js";
import { useRefreshOnNewBlock } from "./chain/useRefreshOnNewBlock.js";
import { Link } from "./components/Link.js";
import { WalletBar } from "./components/WalletBar.js";
import { ForgeListPage } from "./pages/ForgeListPage.js";
import { ForgePage } from "./pages/ForgePage.js";
import { IngotPage } from "./pages/IngotPage.js";

/** The page frame and the route's view. */
export function App() {
  const route = useRoute();
  useRefreshOnNewBlock();
  return (
    <>
      <header className="top">
        <Link href="/" className="brand" aria-label="IngotForge home: all Forges">IngotForge</Link>
        <WalletBar />
      </header>
      <main>
        {route.page === "list" ? <ForgeListPage {...(route.fork ? { fork: route.fork } : {})} /> : null}
        {route.page === "forge" ? <ForgePage key={route.address} forge={route.address} /> : null}
        {route.page === "ingot" ? <IngotPage key={String(route.id)} id={route.id} /> : null}
        {route.page === "not-found" ? <p role="alert">Nothing at {route.path}. <Link href="/">See all Forges</Link>.</p> : null}
      </main>
    </>
  );
}
