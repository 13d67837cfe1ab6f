// The trainer's start page: starts a session and opens its console.
$("start").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = Object.fromEntries(new FormData($("start")));
  if (form.scenario_file.trim()) form.scenario = form.scenario_file.trim();
  delete form.scenario_file;
  try {
    const started = await api("POST", "/classroom/api/start", form);
    localStorage.setItem(`vs-trainer-${started.code}`, started.trainer);
    location.href = started.console;
  } catch (err) { $("start-error").textContent = err.message; }
});
