"""The workspace in a real browser: headless Chromium driven by Selenium, every page checked by axe-core.

Run by BrowserTests.swift, which serves the shipped region on loopback with a stalled case already escalated to
procesregie, and writes the story's facts to a JSON file given as the only argument:

    {"base": "http://127.0.0.1:PORT", "now": EPOCH_SECONDS, "caseId": "...", "artifacts": "DIR",
     "people": {"login": "one-time password", ...}}

The people log in the way people do (one-time password, their own password, the authenticator app linked with a
code computed by pyotp at the server's clock), then tell the region's story: the procesregisseur escalates the
stalled case, the ketenregisseur takes a doorzettingsbesluit with an opdracht, the GGZ reports it done, a warm
handover goes from the BW provider to addiction care, and the housing corporation gets the 404 page. A screenshot of
every page goes to ARTIFACTS; any axe violation at WCAG 2.1 A or AA fails the story. Prints one line per step.
"""

import json
import os
import sys

import pyotp
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

story = json.load(open(sys.argv[1]))
BASE = story["base"]
NOW = story["now"]
CASE = story["caseId"]
ARTIFACTS = story["artifacts"]
PASSWORD = "een lange zin als wachtwoord voor de browser"
os.makedirs(ARTIFACTS, exist_ok=True)
for old in os.listdir(ARTIFACTS):  # the screenshots of this run only
    if old.endswith(".png"):
        os.remove(os.path.join(ARTIFACTS, old))

options = webdriver.ChromeOptions()
for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=nl"]:
    options.add_argument(flag)
if os.path.exists("/usr/bin/chromium"):
    options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)
jars = {}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
shots = 0
checked = set()
failures = []


def step(text):
    print(f"step: {text}", flush=True)


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"FAILED: {message}", flush=True)


def page(name):
    """Screenshot of the page and an axe-core run at WCAG 2.1 A and AA; each distinct page is checked once."""
    global shots
    shots += 1
    # The whole page, not only what fits the window.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(1000, min(height + 140, 6000)))
    driver.save_screenshot(os.path.join(ARTIFACTS, f"{shots:02d}-{name}.png"))
    driver.set_window_size(1280, 1000)
    Axe(driver).inject()
    # Every rule axe has for WCAG 2.0 and 2.1, A and AA (this axe has none tagged wcag21a; a tag without rules would
    # make axe.run fail, so the tags are asked for together and a failure is reported, not waited for).
    results = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r)).catch(e => done({error: String(e)}));", TAGS)
    if "error" in results:
        check(False, f"axe on {name}: {results['error']}")
        return
    for v in results["violations"]:
        nodes = "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        check(False, f"axe on {name} ({driver.current_url}): {v['id']}: {v['help']} at {nodes}")
    check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl", f"{name}: lang is not nl")
    checked.add(name)


def submit(element, keyboard=False):
    """Submits a form (by its button, or by Enter in a field) and waits for the next page."""
    driver.execute_script("window.regieOldPage = true")
    if keyboard:
        element.send_keys(Keys.ENTER)
    else:
        element.click()

    def loaded(d):
        try:
            return d.execute_script("return !window.regieOldPage && document.readyState === 'complete'")
        except WebDriverException:
            return False

    WebDriverWait(driver, 15).until(loaded)


def go(path):
    driver.get(BASE + path)


def h1():
    return driver.find_element(By.TAG_NAME, "h1").text


def as_person(login):
    """Switches the browser to `login`'s cookies (a person works in their own browser)."""
    driver.delete_all_cookies()
    go("/static/regie.css")
    for c in jars.get(login, []):
        driver.add_cookie({k: c[k] for k in ("name", "value", "path") if k in c})


def keep(login):
    jars[login] = driver.get_cookies()


def first_login(login, screenshots=False):
    """One-time password, a password of one's own, the app linked with a TOTP code, the recovery codes."""
    as_person(login)
    go("/inloggen")
    if screenshots:
        page("inloggen")
    driver.find_element(By.ID, "gebruikersnaam").send_keys(login)
    driver.find_element(By.ID, "wachtwoord").send_keys(story["people"][login])
    submit(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    check(h1() == "Wachtwoord kiezen", f"{login}: after the one-time password came {h1()!r}")
    if screenshots:
        page("wachtwoord-kiezen")
    driver.find_element(By.ID, "nieuw").send_keys(PASSWORD)
    driver.find_element(By.ID, "herhaal").send_keys(PASSWORD)
    submit(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    check(h1() == "Authenticator-app koppelen", f"{login}: after the password came {h1()!r}")
    if screenshots:
        page("app-koppelen")
    secret = driver.find_element(By.CSS_SELECTOR, ".regie-secret").text.replace(" ", "")
    code = driver.find_element(By.ID, "code")
    code.send_keys(pyotp.TOTP(secret).at(NOW))
    submit(code, keyboard=True)  # the keyboard, not the mouse
    check(h1() == "Uw herstelcodes", f"{login}: after the code came {h1()!r}")
    if screenshots:
        page("herstelcodes")
    submit(driver.find_element(By.LINK_TEXT, "Verder naar Regie"))
    check(h1() == "Mijn werk", f"{login}: the start page is {h1()!r}")
    keep(login)


def open_case():
    go(f"/casus/{CASE}")
    check(h1() == f"Casus {CASE}", f"the case page's title is {h1()!r}")


def act(event, fields, selects=None):
    """Opens the action's form on the case page, fills it in and submits it; the page must say it was recorded."""
    box = driver.find_element(By.ID, f"actie-{event}")
    box.find_element(By.TAG_NAME, "summary").click()
    for name, value in (selects or {}).items():
        Select(driver.find_element(By.ID, f"{event}-{name}")).select_by_value(value)
    for name, value in fields.items():
        driver.find_element(By.ID, f"{event}-{name}").send_keys(value)
    submit(box.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    alerts = " ".join(a.text for a in driver.find_elements(By.CSS_SELECTOR, ".utrecht-alert"))
    check(f"‘{event}’ is vastgelegd" in alerts, f"{event}: the page says {alerts!r}")


try:
    go("/inloggen")
    Axe(driver).inject()
    TAGS = [t for t in TAGS if driver.execute_script("return axe.getRules([arguments[0]]).length", t) > 0]
    rules = driver.execute_script("return axe.getRules(arguments[0]).length", TAGS)
    print(f"axe-core {driver.execute_script('return axe.version')}: {rules} rules tagged {', '.join(TAGS)}")

    step("the procesregisseur logs in with the app and sees the stalled case on Mijn werk and Escalaties")
    first_login("p.haarlem", screenshots=True)
    check(CASE in driver.page_source and "Besluiten op de escalatie" in driver.page_source,
          "p.haarlem: the case is not on Mijn werk")
    page("mijn-werk-procesregisseur")
    go("/escalaties")
    check(CASE in driver.page_source, "p.haarlem: the case is not on Escalaties")
    page("escalaties-procesregisseur")
    open_case()
    page("casus-niveau-1")
    act("opschalen", {"motivation": "De partners komen er samen niet uit.",
                      "veld-vraag": "Wie neemt de schuldhulpverlening op zich?"})
    keep("p.haarlem")

    step("the ketenregisseur sees it on Escalaties and takes a doorzettingsbesluit with an opdracht")
    first_login("k.keten")
    go("/escalaties")
    check(CASE in driver.page_source and "Wie neemt de schuldhulpverlening op zich?" in driver.page_source,
          "k.keten: the case and its question are not on Escalaties")
    page("escalaties")
    submit(driver.find_element(By.LINK_TEXT, CASE))
    page("casus-niveau-2")
    act("doorzettingsbesluit",
        {"veld-termijn": "5", "motivation": "De GGZ heeft de capaciteit voor schuldhulp.",
         "note": "Start de schuldhulpverlening."},
        selects={"target": "ggz-aanbieder", "veld-besluit": "opdracht"})
    step("the ketenregisseur looks at the Monitor: five quarters, and one municipality")
    go("/monitor?from=2024-07&to=2025-09&by=quarter")
    check("Instroom en uitstroom van" in driver.page_source and "<svg" in driver.page_source,
          "k.keten: the Monitor has no chart")
    page("monitor")
    Select(driver.find_element(By.ID, "gemeente")).select_by_value("gemeente-haarlem")
    submit(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    check("gemeente=gemeente-haarlem" in driver.current_url, "k.keten: the Monitor's filter did not apply")
    page("monitor-gemeente")
    keep("k.keten")

    step("the GGZ sees the opdracht on Mijn werk and reports it done")
    first_login("c.ggz")
    check("Opdracht uitvoeren" in driver.page_source and CASE in driver.page_source,
          "c.ggz: the opdracht is not on Mijn werk")
    page("mijn-werk")
    submit(driver.find_element(By.LINK_TEXT, CASE))
    act("opdracht-uitgevoerd", {"note": "Schuldhulpverlening is gestart."})
    keep("c.ggz")

    step("the BW provider offers a warm handover to addiction care")
    first_login("c.bw")
    open_case()
    act("overdracht-aanbieden", {"note": "Regie naar de verslavingszorg, na de opname."},
        selects={"target": "verslavingszorg", "veld-onderwerp": "regie"})
    go("/casus/nieuw")
    page("nieuwe-casus")
    Select(driver.find_element(By.ID, "werkwijze")).select_by_value("bemoeizorg")
    submit(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    check("Casus openen" in driver.page_source, "c.bw: the second step of a new case is not there")
    page("nieuwe-casus-bemoeizorg")
    go("/opzoeken")
    driver.find_element(By.ID, "bsn").send_keys("123456782")
    Select(driver.find_element(By.ID, "doel")).select_by_value("afstemming-zorg")
    submit(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    check("niet bekend" in driver.page_source, "c.bw: the lookup did not answer")
    page("opzoeken")
    keep("c.bw")

    step("addiction care accepts, meets and takes over regie")
    first_login("c.vz")
    check("Overdracht aannemen of weigeren" in driver.page_source, "c.vz: the handover is not on Mijn werk")
    submit(driver.find_element(By.LINK_TEXT, CASE))
    act("overdracht-accepteren", {})
    act("kennismaking", {"note": "Kennisgemaakt met de cliënt, samen met de BW-begeleider."})
    act("overdracht-afronden", {})
    check("Voorbeeld verslavingszorg" in driver.find_element(By.CSS_SELECTOR, "dl.regie-facts").text,
          "c.vz: the case does not name addiction care as regiehouder")
    page("casus")
    keep("c.vz")

    step("the housing corporation, outside the case, gets the 404 page")
    first_login("c.woning")
    open_case_url = f"/casus/{CASE}"
    go(open_case_url)
    check(h1() == "Pagina niet gevonden" and "schuldhulp" not in driver.page_source.lower(),
          "c.woning: the case is shown")
    page("niet-gevonden")

    step("the functional administrator's Beheer and a client's inzage, printable")
    first_login("f.beheer")
    go("/beheer")
    page("beheer")
    submit(driver.find_element(By.LINK_TEXT, "c.woning"))
    page("beheer-persoon")
    go("/inzage")
    driver.find_element(By.ID, "bsn").send_keys("111222333")
    submit(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    check("p.haarlem" in driver.page_source and "k.keten" in driver.page_source, "the inzage misses readers")
    page("inzage")
    go("/toegankelijkheid")
    page("toegankelijkheid")
finally:
    driver.quit()

print(f"pages checked by axe: {len(checked)}; screenshots: {shots} in {ARTIFACTS}")
if failures:
    print(f"{len(failures)} failures", flush=True)
    sys.exit(1)
print("ok")
