// A team's join page: joins with the session's code and a team name.
$("join").addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = $("join-input").value.trim().toUpperCase();
  try {
    const joined = await api("POST", `/classroom/api/${encodeURIComponent(code || "-")}/join`, {name: $("team-name").value});
    localStorage.setItem(`vs-team-${joined.code}`, JSON.stringify({id: joined.team, token: joined.token}));
    location.href = `/join/${joined.code}?lang=${BOOT.lang}`;
  } catch (err) { $("join-error").textContent = err.message; }
});
